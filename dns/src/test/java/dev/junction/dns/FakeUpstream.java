package dev.junction.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A tiny authoritative UDP server on 127.0.0.1 playing "the internet" for forwarding tests: it
 * knows a fixed set of A records (TTL 300), answers NODATA for other types of known names and
 * NXDOMAIN otherwise, both with an SOA (TTL 3600, minimum 60), and counts the queries it gets.
 */
final class FakeUpstream implements AutoCloseable {
    static final long ANSWER_TTL = 300;
    static final long SOA_MINIMUM = 60;
    private final DatagramSocket socket;
    private final Map<Name, String> addresses;
    private final Thread thread;
    final AtomicInteger queries = new AtomicInteger();
    final Map<String, AtomicInteger> byName = new ConcurrentHashMap<>();

    FakeUpstream(Map<String, String> addresses) throws SocketException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.addresses = new ConcurrentHashMap<>();
        addresses.forEach((k, v) -> this.addresses.put(Name.fromConstantString(k.endsWith(".") ? k : k + "."), v));
        this.thread = Thread.ofPlatform().daemon().name("fake-upstream").start(this::serve);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    int queries(String name) {
        AtomicInteger n = byName.get(name.toLowerCase());
        return n == null ? 0 : n.get();
    }

    private void serve() {
        byte[] buf = new byte[65535];
        while (!socket.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                socket.receive(in);
                Message q = new Message(java.util.Arrays.copyOf(buf, in.getLength()));
                queries.incrementAndGet();
                Record question = q.getQuestion();
                byName.computeIfAbsent(question.getName().toString().toLowerCase(), k -> new AtomicInteger()).incrementAndGet();
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.getHeader().setFlag(Flags.RA);
                r.addRecord(question, Section.QUESTION);
                String ip = addresses.get(question.getName());
                Name zone = new Name(question.getName(), Math.max(0, question.getName().labels() - 3));
                SOARecord soa = new SOARecord(zone, DClass.IN, 3600, Name.fromConstantString("ns." + zone),
                        Name.fromConstantString("h." + zone), 1, 7200, 1800, 86400, SOA_MINIMUM);
                if (ip == null) {
                    r.getHeader().setRcode(Rcode.NXDOMAIN);
                    r.addRecord(soa, Section.AUTHORITY);
                } else if (question.getType() == Type.A) {
                    r.addRecord(new ARecord(question.getName(), DClass.IN, ANSWER_TTL, InetAddress.getByName(ip)), Section.ANSWER);
                } else {
                    r.addRecord(soa, Section.AUTHORITY);
                }
                byte[] out = r.toWire();
                socket.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5000);
    }
}
