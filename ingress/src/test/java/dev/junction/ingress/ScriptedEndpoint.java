package dev.junction.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A raw HTTP/1.1 endpoint on loopback for tests that need byte-exact responses (framing, interim
 * responses, malformed heads): one daemon thread accepts, one daemon thread per connection reads
 * request heads and hands each to {@link #respond}, until it returns false or the proxy closes.
 */
abstract class ScriptedEndpoint implements AutoCloseable {
    private final ServerSocket server;
    private final String name;

    ScriptedEndpoint(String name) throws IOException {
        this.name = name;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, name);
        t.setDaemon(true);
        t.start();
    }

    /** The bound loopback port. */
    int port() {
        return server.getLocalPort();
    }

    /**
     * Answers one request whose head (request line to the empty line, CR LF kept) was read from
     * {@code in}; a body, if any, is still in {@code in}.
     *
     * @return false to close the connection after this response
     */
    protected abstract boolean respond(String head, InputStream in, OutputStream out) throws IOException, InterruptedException;

    /** The request-target of a request head. */
    static String target(String head) {
        return head.substring(head.indexOf(' ') + 1, head.indexOf(" HTTP/"));
    }

    /** {@code s} as ISO-8859-1 bytes. */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads one HTTP message head, up to and including the empty line.
     *
     * @throws IOException when the stream ends inside the head
     */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed inside a head");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            boolean open = true;
            while (open) {
                open = respond(readHead(in), in, out);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // connection closed by the proxy
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
