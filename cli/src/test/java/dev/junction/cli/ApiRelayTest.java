package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay carries bytes both ways between a loopback TCP client and a Unix-socket server. */
class ApiRelayTest {

    @Test
    void relaysTcpToUnixSocketAndBack(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("api.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread echo = Thread.ofVirtual().start(() -> {
                try (SocketChannel ch = server.accept()) {
                    ByteBuffer buf = ByteBuffer.allocate(1024);
                    while (ch.read(buf) >= 0) {
                        buf.flip();
                        ByteBuffer upper = StandardCharsets.UTF_8.encode(StandardCharsets.UTF_8.decode(buf).toString().toUpperCase());
                        ch.write(upper);
                        buf.clear();
                    }
                } catch (Exception ignored) {
                    // the client closed
                }
            });
            try (ApiRelay relay = ApiRelay.start(new InetSocketAddress("127.0.0.1", 0), socket);
                 Socket client = new Socket("127.0.0.1", relay.localAddress().getPort())) {
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                out.write("hello relay".getBytes(StandardCharsets.UTF_8));
                out.flush();
                byte[] reply = in.readNBytes(11);
                assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("HELLO RELAY");
            }
            echo.join(5000);
        }
    }

    @Test
    void closesTheClientWhenNothingListensOnTheSocket(@TempDir Path dir) throws Exception {
        try (ApiRelay relay = ApiRelay.start(new InetSocketAddress("127.0.0.1", 0), dir.resolve("missing.sock"));
             Socket client = new Socket("127.0.0.1", relay.localAddress().getPort())) {
            client.setSoTimeout(5000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }
}
