package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/**
 * {@link LiveIndex} (in-place updates per Service) against {@link RecordIndexBuilder#assemble}
 * (the full rebuild it replaces), over random sequences of Service adds, changes and deletes that
 * share namespaces (empty non-terminals), cluster IPs (PTR names) and headless endpoints.
 */
class LiveIndexTest {
    private static final IndexOptions OPTIONS = IndexOptions.of(Name.fromConstantString("cluster.local."), 5);

    @Test
    void randomChangesMatchAFullRebuild() {
        Random random = new Random(42);
        LiveIndex live = new LiveIndex(OPTIONS);
        Map<String, Map<Name, NameEntry>> fragments = new HashMap<>();
        List<Name> probes = new ArrayList<>();
        for (int step = 0; step < 2000; step++) {
            String ns = "ns-" + random.nextInt(4);
            String name = "svc-" + random.nextInt(30);
            String key = ns + "/" + name;
            Map<Name, NameEntry> fragment = null;
            if (random.nextInt(4) != 0) {
                fragment = RecordIndexBuilder.compile(OPTIONS, service(random, ns, name), slices(random, ns, name));
            }
            live.put(key, fragment);
            if (fragment == null || fragment.isEmpty()) {
                fragments.remove(key);
            } else {
                fragments.put(key, fragment);
                probes.addAll(fragment.keySet());
            }
            long serial = 1000 + step / 100;
            RecordIndex got = live.publish(serial, true);
            if (step % 50 == 0 || step == 1999) {
                RecordIndex want = RecordIndexBuilder.assemble(OPTIONS, serial, fragments.values(), true);
                assertThat(got.size()).as("names after step %d", step).isEqualTo(want.size());
                assertThat(got.soa()).isEqualTo(want.soa());
                for (Name n : probes) {
                    assertThat(records(got, n)).as("%s after step %d", n, step).isEqualTo(records(want, n));
                    byte[] upper = upperCase(n.toWireCanonical());
                    assertThat(got.entryByWire(upper, 0, upper.length)).as("%s by wire", n)
                            .isSameAs(got.lookup(n).orElse(null));
                }
            }
        }
        assertThat(live.keys()).isEqualTo(fragments.keySet());
    }

    @Test
    void removingTheLastServiceOfANamespaceRemovesItsEmptyNonTerminal() {
        LiveIndex live = new LiveIndex(OPTIONS);
        live.put("a/web", RecordIndexBuilder.compile(OPTIONS, clusterIp("a", "web", "10.96.0.10"), List.of()));
        live.put("a/api", RecordIndexBuilder.compile(OPTIONS, clusterIp("a", "api", "10.96.0.11"), List.of()));
        Name ent = Name.fromConstantString("a.svc.cluster.local.");
        assertThat(live.publish(1, true).lookup(ent)).isPresent();
        live.put("a/web", null);
        assertThat(live.publish(1, true).lookup(ent)).isPresent();
        live.put("a/api", null);
        RecordIndex index = live.publish(1, true);
        assertThat(index.lookup(ent)).isEmpty();
        assertThat(index.lookup(Name.fromConstantString("web.a.svc.cluster.local."))).isEmpty();
        assertThat(index.lookup(Name.fromConstantString("10.0.96.10.in-addr.arpa."))).isEmpty();
        assertThat(index.lookup(Name.fromConstantString("svc.cluster.local."))).as("the zone's own names stay").isPresent();
    }

    /** The wire form with every ASCII letter uppercased (lookups by wire ignore case). */
    private static byte[] upperCase(byte[] wire) {
        byte[] out = wire.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] >= 'a' && out[i] <= 'z') {
                out[i] -= 32;
            }
        }
        return out;
    }

    private static Set<String> records(RecordIndex index, Name n) {
        Set<String> out = new HashSet<>();
        index.lookup(n).ifPresent(e -> {
            e.records().forEach(r -> out.add("R " + r));
            e.additionals().forEach(r -> out.add("X " + r));
            out.add(e.isEmptyNonTerminal() ? "ENT" : "NAME");
        });
        return out;
    }

    private static ServiceRecord clusterIp(String ns, String name, String ip) {
        return new ServiceRecord(ns, name, ServiceRecord.Kind.CLUSTER_IP, List.of(addr(ip)), "",
                List.of(new PortRecord("http", "TCP", 80)), false);
    }

    private static ServiceRecord service(Random random, String ns, String name) {
        if (random.nextInt(3) == 0) {
            return new ServiceRecord(ns, name, ServiceRecord.Kind.HEADLESS, List.of(), "",
                    List.of(new PortRecord("web", "TCP", 80)), false);
        }
        // Few distinct cluster IPs, so that PTR names are shared between Services.
        return clusterIp(ns, name, "10.96.0." + (1 + random.nextInt(20)));
    }

    private static List<EndpointSliceRecord> slices(Random random, String ns, String name) {
        List<EndpointRecord> eps = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            eps.add(new EndpointRecord(addr("10.244.0." + (1 + random.nextInt(10))), random.nextBoolean() ? "" : "h" + i,
                    random.nextInt(5) != 0));
        }
        return List.of(new EndpointSliceRecord(ns, name + "-x", name, eps, List.of(new PortRecord("web", "TCP", 8080))));
    }

    private static InetAddress addr(String ip) {
        return IpLiterals.parse(ip).orElseThrow();
    }
}
