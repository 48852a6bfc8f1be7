package dev.junction.dns;

import static dev.junction.dns.MockApi.endpoint;
import static dev.junction.dns.MockApi.port;
import static dev.junction.dns.MockApi.slicePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Robustness: random and mutated valid packets. In process, 1,000,000 packets go straight into
 * the {@link DnsQueryProcessor} (fast path, slow path, cache, autopath, pods all on): no exception
 * escapes, every reply parses and carries the query's ID, every packet dnsjava cannot parse gets
 * FORMERR or no reply, valid queries interleaved every 1,000 packets keep getting the right
 * answer, and the heap after a GC stays bounded. Over real UDP, 20,000 packets go to a running
 * server while a second socket checks that valid queries keep being answered. A fixed seed makes
 * failures reproducible ({@code -Ddns.fuzz.seed=N} to change it).
 */
class DnsFuzzTest {
    private static final long SEED = Long.getLong("dns.fuzz.seed", 20261121L);
    private static final int IN_PROCESS = Integer.getInteger("dns.fuzz.packets", 1_000_000);
    private static final int OVER_UDP = 20_000;
    private static final String[] NAMES = {
        "web.default.svc.cluster.local", "db.default.svc.cluster.local", "db-0.db.default.svc.cluster.local",
        "_http._tcp.web.default.svc.cluster.local", "_pg._tcp.db.default.svc.cluster.local", "ext.default.svc.cluster.local",
        "10-244-1-5.default.pod.cluster.local", "dns-version.cluster.local", "cluster.local", "svc.cluster.local",
        "nope.default.svc.cluster.local", "example.com", "example.com.default.svc.cluster.local",
        "20.0.96.10.in-addr.arpa", "5.1.244.10.in-addr.arpa", "x.y.z.w.pod.cluster.local", "a", ".",
    };
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.SRV, Type.PTR, Type.TXT, Type.ANY, Type.SOA, Type.NS,
        Type.CNAME, Type.MX, Type.AXFR, Type.IXFR, 0, 65535};

    private static List<ServiceRecord> services() {
        List<ServiceRecord> out = new ArrayList<>();
        out.add(new ServiceRecord("default", "web", ServiceRecord.Kind.CLUSTER_IP,
                List.of(IpLiterals.parse("10.96.0.20").orElseThrow()), "", List.of(new PortRecord("http", "tcp", 80)), false));
        out.add(new ServiceRecord("default", "db", ServiceRecord.Kind.HEADLESS, List.of(), "",
                List.of(new PortRecord("pg", "tcp", 5432)), false));
        out.add(new ServiceRecord("default", "ext", ServiceRecord.Kind.EXTERNAL_NAME, List.of(), "example.com",
                List.of(), false));
        return out;
    }

    private static DnsQueryProcessor processor(DnsMetrics metrics) {
        List<EndpointSliceRecord> slices = List.of(new EndpointSliceRecord("default", "db-1", "db", List.of(
                new EndpointRecord(IpLiterals.parse("10.244.1.5").orElseThrow(), "db-0", true),
                new EndpointRecord(IpLiterals.parse("10.244.1.6").orElseThrow(), "", true)),
                List.of(new PortRecord("pg", "tcp", 5432))));
        RecordIndex index = RecordIndexBuilder.build(Name.fromConstantString("cluster.local."), 5, 1, services(), slices, true);
        PodTracker pods = new PodTracker();
        KubernetesHandler k8s = new KubernetesHandler(() -> index, PodsMode.INSECURE, pods, true);
        Forwarder none = new Forwarder(List.of(), Duration.ofSeconds(1));
        ResponseCache cache = new ResponseCache(1000, 30, 1000, 30, System::nanoTime, metrics);
        DnsQueryProcessor[] self = new DnsQueryProcessor[1];
        Autopath autopath = new Autopath(k8s, pods, List.of(), q -> self[0].upstream(q));
        self[0] = new DnsQueryProcessor(k8s, none, cache, autopath, List.of(), true, metrics);
        return self[0];
    }

    /** A valid query with random case, type, EDNS and RD. */
    private static byte[] validQuery(SplittableRandom rnd) {
        String name = NAMES[rnd.nextInt(NAMES.length)];
        StringBuilder cased = new StringBuilder(name.length());
        for (char c : name.toCharArray()) {
            cased.append(rnd.nextInt(4) == 0 ? Character.toUpperCase(c) : c);
        }
        Message q = DnsTestClient.query(cased.toString(), TYPES[rnd.nextInt(TYPES.length)]);
        q.getHeader().setID(rnd.nextInt(65536));
        if (rnd.nextBoolean()) {
            DnsTestClient.edns(q, rnd.nextInt(4) == 0 ? rnd.nextInt(65536) : 1232);
        }
        return q.toWire();
    }

    private static byte[] mutate(byte[] valid, SplittableRandom rnd) {
        byte[] p = valid.clone();
        switch (rnd.nextInt(8)) {
            case 0 -> {
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                    int at = rnd.nextInt(p.length);
                    p[at] ^= (byte) (1 << rnd.nextInt(8));
                }
            }
            case 1 -> p[rnd.nextInt(p.length)] = (byte) rnd.nextInt(256);
            case 2 -> p = java.util.Arrays.copyOf(p, rnd.nextInt(p.length));
            case 3 -> {
                byte[] longer = java.util.Arrays.copyOf(p, p.length + 1 + rnd.nextInt(64));
                for (int i = p.length; i < longer.length; i++) {
                    longer[i] = (byte) rnd.nextInt(256);
                }
                p = longer;
            }
            case 4 -> p[4 + rnd.nextInt(8)] = (byte) rnd.nextInt(4); // section counts
            case 5 -> {
                if (p.length > 14) { // a compression pointer somewhere in the question, possibly a loop
                    int at = 12 + rnd.nextInt(p.length - 13);
                    p[at] = (byte) (0xC0 | rnd.nextInt(4));
                    p[at + 1] = (byte) rnd.nextInt(256);
                }
            }
            case 6 -> {
                if (p.length > 12) { // a label length pointing past the end
                    p[12] = (byte) (1 + rnd.nextInt(63));
                }
            }
            default -> p[2] = (byte) rnd.nextInt(256); // QR, opcode, flags
        }
        return p;
    }

    private static byte[] randomJunk(SplittableRandom rnd) {
        byte[] p = new byte[rnd.nextInt(600)];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) rnd.nextInt(256);
        }
        return p;
    }

    private static boolean parses(byte[] p) {
        try {
            new Message(p);
            return true;
        } catch (Exception | StackOverflowError e) {
            return false;
        }
    }

    @Test
    @Timeout(120)
    void oneMillionPacketsInProcess() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        DnsMetrics metrics = new DnsMetrics();
        DnsQueryProcessor processor = processor(metrics);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        byte[][] out = new byte[1][];
        int replied = 0;
        int formerr = 0;
        for (int i = 0; i < IN_PROCESS; i++) {
            byte[] packet;
            int kind = rnd.nextInt(10);
            if (i % 1000 == 999) {
                packet = DnsTestClient.query("web.default.svc.cluster.local", Type.A).toWire();
            } else if (kind == 0) {
                packet = randomJunk(rnd);
            } else if (kind <= 2) {
                packet = validQuery(rnd);
            } else {
                packet = mutate(validQuery(rnd), rnd);
            }
            out[0] = null;
            try {
                processor.process(packet, Transport.values()[i & 1], null, r -> {
                    if (out[0] != null) {
                        throw new AssertionError("two replies");
                    }
                    out[0] = r;
                });
            } catch (Throwable t) {
                fail("packet %d (%s) threw", i, java.util.HexFormat.of().formatHex(packet), t);
            }
            byte[] reply = out[0];
            boolean valid = parses(packet);
            if (reply == null) {
                continue;
            }
            replied++;
            Message response;
            try {
                response = new Message(reply);
            } catch (IOException e) {
                throw new AssertionError("unparsable reply to packet " + i, e);
            }
            assertThat(response.getHeader().getID()).isEqualTo(((packet[0] & 0xFF) << 8) | (packet[1] & 0xFF));
            if (!valid) {
                assertThat(response.getRcode()).as("reply to malformed packet %d", i).isEqualTo(Rcode.FORMERR);
                formerr++;
            }
            if (i % 1000 == 999) {
                assertThat(DnsTestClient.rdata(response, Section.ANSWER)).containsExactly("10.96.0.20");
            }
        }
        System.gc();
        long heapAfter = memory.getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "fuzz: %d packets, %d replies, %d FORMERR, heap %d → %d MB%n",
                IN_PROCESS, replied, formerr, heapBefore >> 20, heapAfter >> 20);
        assertThat(replied).isGreaterThan(IN_PROCESS / 2);
        assertThat(heapAfter - heapBefore).isLessThan(64L << 20);
    }

    @Test
    @Timeout(120)
    void twentyThousandPacketsOverUdpWhileValidQueriesKeepBeingAnswered() throws Exception {
        try (MockApi api = new MockApi()) {
            api.clusterIp("default", "web", List.of("10.96.0.20"), port("http", "TCP", 80));
            api.headless("default", "db", false, port("pg", "TCP", 5432));
            api.slice("default", "db-1", "db", List.of(slicePort("pg", "TCP", 5432)), List.of(endpoint("10.244.1.5", "db-0", true)));
            try (DnsServer dns = DnsServer.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress()).port(0)
                    .build().start();
                 DatagramSocket fuzz = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                 DatagramSocket check = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                await().atMost(Duration.ofSeconds(30)).until(dns::ready);
                InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.port());
                check.setSoTimeout(5000);
                SplittableRandom rnd = new SplittableRandom(SEED + 1);
                int answered = 0;
                for (int i = 0; i < OVER_UDP; i++) {
                    byte[] p = rnd.nextInt(10) == 0 ? randomJunk(rnd) : mutate(validQuery(rnd), rnd);
                    if (p.length > 0) {
                        fuzz.send(new DatagramPacket(p, p.length, server));
                    }
                    if (i % 200 == 199) {
                        Message q = DnsTestClient.query("db-0.db.default.svc.cluster.local", Type.A);
                        byte[] w = q.toWire();
                        check.send(new DatagramPacket(w, w.length, server));
                        Message r = receive(check, q.getHeader().getID());
                        assertThat(DnsTestClient.rdata(r, Section.ANSWER)).containsExactly("10.244.1.5");
                        answered++;
                    }
                }
                assertThat(answered).isEqualTo(OVER_UDP / 200);
                assertThat(dns.metrics().responses(Rcode.FORMERR)).isPositive();
            }
        }
    }

    /** Reads datagrams until the one with {@code id} (stale answers to earlier checks are skipped). */
    private static Message receive(DatagramSocket socket, int id) throws IOException {
        byte[] buf = new byte[65535];
        while (true) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(in);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer to a valid query during the fuzz run", e);
            }
            Message m = new Message(java.util.Arrays.copyOf(buf, in.getLength()));
            if (m.getHeader().getID() == id) {
                return m;
            }
        }
    }
}
