package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The wire-level fast path against the dnsjava path it shortcuts: for every query shape both
 * produce the same message (header flags, rcode, question with the client's spelling, every
 * section record for record), and the fast path really answers the common shapes.
 */
class WireFastPathTest {
    private static final RecordIndex INDEX;

    static {
        List<ServiceRecord> services = List.of(
                new ServiceRecord("default", "web", ServiceRecord.Kind.CLUSTER_IP,
                        List.of(IpLiterals.parse("10.96.0.20").orElseThrow(), IpLiterals.parse("fd00::20").orElseThrow()), "",
                        List.of(new PortRecord("http", "tcp", 80)), false),
                new ServiceRecord("default", "db", ServiceRecord.Kind.HEADLESS, List.of(), "",
                        List.of(new PortRecord("pg", "tcp", 5432)), false),
                new ServiceRecord("default", "ext", ServiceRecord.Kind.EXTERNAL_NAME, List.of(), "web.default.svc.cluster.local",
                        List.of(), false));
        List<EndpointSliceRecord> slices = List.of(new EndpointSliceRecord("default", "db-1", "db", List.of(
                new EndpointRecord(IpLiterals.parse("10.244.1.5").orElseThrow(), "db-0", true),
                new EndpointRecord(IpLiterals.parse("10.244.1.6").orElseThrow(), "", true)),
                List.of(new PortRecord("pg", "tcp", 5432))));
        INDEX = RecordIndexBuilder.build(Name.fromConstantString("cluster.local."), 5, 1, services, slices, true);
    }

    private static DnsQueryProcessor processor(boolean fast, DnsMetrics metrics) {
        KubernetesHandler k8s = new KubernetesHandler(() -> INDEX, PodsMode.INSECURE, new PodTracker(), false);
        return new DnsQueryProcessor(k8s, new Forwarder(List.of(), Duration.ofSeconds(1)), null, null, List.of(), fast, metrics);
    }

    static List<Object[]> queries() {
        List<Object[]> out = new ArrayList<>();
        String[] names = {"web.default.svc.cluster.local", "WEB.Default.svc.CLUSTER.local", "db.default.svc.cluster.local",
            "db-0.db.default.svc.cluster.local", "_http._tcp.web.default.svc.cluster.local",
            "_pg._tcp.db.default.svc.cluster.local", "nope.default.svc.cluster.local", "svc.cluster.local",
            "cluster.local", "dns-version.cluster.local", "20.0.96.10.in-addr.arpa", "ext.default.svc.cluster.local"};
        int[] types = {Type.A, Type.AAAA, Type.SRV, Type.TXT, Type.PTR, Type.SOA, Type.NS, Type.MX};
        for (String n : names) {
            for (int t : types) {
                for (int edns : new int[] {0, 512, 4096}) {
                    out.add(new Object[] {n, t, edns});
                }
            }
        }
        return out;
    }

    private static Message run(DnsQueryProcessor p, byte[] wire, Transport transport) throws Exception {
        byte[][] out = new byte[1][];
        p.process(wire, transport, null, r -> out[0] = r);
        return new Message(out[0]);
    }

    private static List<String> section(Message m, int section) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(section)) {
            // Case-insensitive: dnsjava compresses the SOA owner into the question's spelling.
            out.add(r.toString().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("queries")
    void sameAnswerAsTheDnsjavaPath(String name, int type, int edns) throws Exception {
        Message q = DnsTestClient.query(name, type);
        if (edns > 0) {
            DnsTestClient.edns(q, edns);
        }
        byte[] wire = q.toWire();
        for (Transport t : Transport.values()) {
            Message fast = run(processor(true, new DnsMetrics()), wire, t);
            Message slow = run(processor(false, new DnsMetrics()), wire, t);
            assertThat(fast.getHeader().getID()).isEqualTo(slow.getHeader().getID());
            assertThat(fast.getRcode()).isEqualTo(slow.getRcode());
            for (int flag : new int[] {Flags.QR, Flags.AA, Flags.TC, Flags.RD, Flags.RA}) {
                assertThat(fast.getHeader().getFlag(flag)).as("flag %d", flag).isEqualTo(slow.getHeader().getFlag(flag));
            }
            assertThat(fast.getQuestion().getName().toString()).isEqualTo(name + ".");
            if (!fast.getSection(Section.ANSWER).isEmpty()) {
                assertThat(fast.getSection(Section.ANSWER).get(0).getName().toString()).as("owner keeps the question's spelling")
                        .isEqualTo(name + ".");
            }
            for (int s : new int[] {Section.QUESTION, Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
                assertThat(section(fast, s)).as("section %d", s).containsExactlyElementsOf(section(slow, s));
            }
        }
    }

    @Test
    void commonQueriesTakeTheFastPath() {
        WireFastPath fast = new WireFastPath(new KubernetesHandler(() -> INDEX, PodsMode.INSECURE, new PodTracker(), true),
                null, List.of());
        for (String n : new String[] {"web.default.svc.cluster.local", "nope.default.svc.cluster.local",
            "_pg._tcp.db.default.svc.cluster.local"}) {
            byte[] wire = DnsTestClient.query(n, Type.A).toWire();
            assertThat(fast.answer(wire, wire.length, Transport.UDP, null)).as(n).isNotNull();
        }
        byte[] cname = DnsTestClient.query("ext.default.svc.cluster.local", Type.A).toWire();
        assertThat(fast.answer(cname, cname.length, Transport.UDP, null)).as("CNAME chains take the slow path").isNull();
        byte[] pod = DnsTestClient.query("10-1-2-3.default.pod.cluster.local", Type.A).toWire();
        assertThat(fast.answer(pod, pod.length, Transport.UDP, null)).as("pod names take the slow path").isNull();
    }
}
