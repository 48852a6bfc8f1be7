package dev.junction.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import dev.junction.testing.RequiresRoot;
import dev.junction.testing.TestNetns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The netlink fast path against {@code nft -f}: two namespaces get the same 1,000-Service table
 * (full sync through nft), then the same sequence of endpoint changes (and a burst of 2,000 new
 * Services, one batch of tens of thousands of messages), applied in one namespace as
 * nf_tables netlink batches and in the other through {@code nft -f}; after every step
 * {@code nft list table ip kube-proxy} must be identical. A real TCP connection then follows an
 * endpoint change made through netlink.
 */
@RequiresRoot(commands = {"nft", "socat"})
class NftablesNetlinkParityTest {
    private static final CommandRunner RUN = CommandRunner.system();
    private static final int SERVICES = 1_000;
    private static final NodeInfo NODE = new NodeInfo("test-node", Map.of(), List.of("10.250.0.1"), List.of());
    private static final ProxyConfig CONFIG = ProxyConfig.defaults().withMode("nftables");

    @Test
    void endpointChangesThroughNetlinkListExactlyAsThroughNft() throws Exception {
        try (TestNetns viaNetlink = TestNetns.create("nlnk"); TestNetns viaNft = TestNetns.create("nnft")) {
            NftablesProxier fast = new NftablesProxier(RUN, List.of("ip", "netns", "exec", viaNetlink.name()), CONFIG,
                    List.of("10.96.0.0/12"));
            NftablesProxier slow = new NftablesProxier(RUN, List.of("ip", "netns", "exec", viaNft.name()), CONFIG,
                    List.of("10.96.0.0/12"));
            fast.setNetlinkEnabled(true);
            slow.setNetlinkEnabled(false);
            Cluster cluster = new Cluster();
            ProxySnapshot initial = cluster.snapshot();
            fast.sync(initial, NODE);
            slow.sync(initial, NODE);
            assertSameTable(viaNetlink, viaNft);

            List<Consumer<Cluster>> steps = List.of(
                    c -> c.endpoints.get(c.name(0)).add(EndpointInfo.ready("10.244.200.1", 8080)),  // endpoint added
                    c -> c.endpoints.get(c.name(0)).remove(0),                                       // endpoint removed
                    c -> c.endpoints.put(c.name(1), new ArrayList<>()),                              // last one gone: no-endpoint
                    c -> c.endpoints.put(c.name(1), new ArrayList<>(List.of(EndpointInfo.ready("10.244.201.1", 8080)))),
                    c -> c.endpoints.get(c.name(7)).add(EndpointInfo.ready("10.244.202.1", 53)),     // UDP NodePort Service
                    c -> c.endpoints.put(c.name(7), new ArrayList<>()),                              // no-endpoint nodeport
                    c -> c.ports.remove(c.name(2)),                                                  // Service port removed
                    c -> c.ports.remove(c.second),                                                   // one of two ports removed
                    c -> c.ports.remove(c.name(5)),                                                  // NodePort Service removed
                    c -> c.add(SERVICES, 2_000));                                                    // a burst: ~30,000 commands, one batch
            for (int i = 0; i < steps.size(); i++) {
                steps.get(i).accept(cluster);
                ProxySnapshot next = cluster.snapshot();
                long before = fast.netlinkSyncs();
                fast.sync(next, NODE);
                slow.sync(next, NODE);
                assertThat(fast.netlinkSyncs()).as("step %d went through netlink", i).isEqualTo(before + 1);
                assertThat(fast.netlinkFailures()).isZero();
                assertThat(fast.fullSyncs()).isEqualTo(1);
                assertThat(slow.netlinkSyncs()).isZero();
                assertSameTable(viaNetlink, viaNft);
            }
        }
    }

    @Test
    void packetsFollowAnEndpointChangeMadeThroughNetlink() throws Exception {
        try (TestNetns node = TestNetns.create("nlpk"); TestNetns server = TestNetns.create("nlsv")) {
            RUN.check("ip", "-n", node.name(), "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
                    "netns", server.name());
            RUN.check("ip", "-n", node.name(), "addr", "add", "10.250.0.1/24", "dev", "veth0");
            RUN.check("ip", "-n", server.name(), "addr", "add", "10.250.0.2/24", "dev", "veth1");
            RUN.check("ip", "-n", node.name(), "link", "set", "veth0", "up");
            RUN.check("ip", "-n", server.name(), "link", "set", "veth1", "up");
            RUN.check("ip", "-n", node.name(), "route", "add", "10.96.0.0/12", "dev", "veth0");
            Process a = echoServer(server, 8000, "server-a");
            Process b = echoServer(server, 8001, "server-b");
            try {
                NftablesProxier proxier = new NftablesProxier(RUN, List.of("ip", "netns", "exec", node.name()), CONFIG,
                        List.of("10.96.0.0/12"));
                proxier.setNetlinkEnabled(true);
                ServicePortName web = new ServicePortName("default", "web", "http", Protocol.TCP);
                ServicePortInfo info = ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP);
                proxier.sync(single(web, info, EndpointInfo.ready("10.250.0.2", 8000)), NODE);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(node, "10.96.100.1:80").stdout()).isEqualTo("server-a\n"));
                proxier.sync(single(web, info, EndpointInfo.ready("10.250.0.2", 8001)), NODE);
                assertThat(proxier.netlinkSyncs()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(node, "10.96.100.1:80").stdout()).isEqualTo("server-b\n"));
                proxier.sync(single(web, info), NODE);
                assertThat(proxier.netlinkSyncs()).isEqualTo(2);
                CommandResult refused = connect(node, "10.96.100.1:80");
                assertThat(refused.ok()).isFalse();
                assertThat(refused.stderr()).contains("Connection refused");
            } finally {
                a.destroyForcibly().waitFor();
                b.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void aRejectedBatchFallsBackToAFullNftSync() {
        try (TestNetns ns = TestNetns.create("nlfb")) {
            NftablesProxier proxier = new NftablesProxier(RUN, List.of("ip", "netns", "exec", ns.name()), CONFIG,
                    List.of("10.96.0.0/12"));
            proxier.setNetlinkEnabled(true);
            ServicePortName web = new ServicePortName("default", "web", "http", Protocol.TCP);
            ServicePortInfo info = ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP);
            proxier.sync(single(web, info, EndpointInfo.ready("10.250.0.2", 8000)), NODE);
            // Behind the proxier's back: the service chain disappears, so the batch's element delete fails.
            ns.check("nft", "delete", "element", "ip", "kube-proxy", "service-ips", "{ 10.96.100.1 . tcp . 80 }");
            proxier.sync(single(web, info), NODE);
            assertThat(proxier.netlinkFailures()).isEqualTo(1);
            assertThat(proxier.fullSyncs()).isEqualTo(2);
            assertThat(ns.check("nft", "list", "map", "ip", "kube-proxy", "no-endpoint-services").stdout())
                    .contains("10.96.100.1 . tcp . 80");
        }
    }

    private static void assertSameTable(TestNetns a, TestNetns b) {
        String left = a.check("nft", "list", "table", "ip", "kube-proxy").stdout();
        String right = b.check("nft", "list", "table", "ip", "kube-proxy").stdout();
        assertThat(left).contains("chain services").isEqualTo(right);
    }

    private static ProxySnapshot single(ServicePortName name, ServicePortInfo info, EndpointInfo... endpoints) {
        return new ProxySnapshot(ServicePortMap.of(Map.of(name, info)), EndpointsMap.of(Map.of(name, List.of(endpoints))));
    }

    private static Process echoServer(TestNetns ns, int port, String reply) throws java.io.IOException {
        return new ProcessBuilder("ip", "netns", "exec", ns.name(), "socat",
                "TCP-LISTEN:" + port + ",bind=10.250.0.2,fork,reuseaddr", "SYSTEM:echo " + reply)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static CommandResult connect(TestNetns client, String address) {
        return client.exec(new String[] {"socat", "-t", "5", "-T", "5", "-", "TCP:" + address + ",connect-timeout=5"});
    }

    /**
     * 1,000 Services: TCP ClusterIPs with 3 endpoints; every fifth has a NodePort; Service 7 is UDP
     * with a NodePort and no endpoints at first; Service 3 has a second port.
     */
    private static final class Cluster {
        final Map<ServicePortName, ServicePortInfo> ports = new TreeMap<>();
        final Map<ServicePortName, List<EndpointInfo>> endpoints = new TreeMap<>();
        private final List<ServicePortName> names = new ArrayList<>();
        /** A second port of Service 3 (same ClusterIP). */
        final ServicePortName second = new ServicePortName("ns3", "svc3", "q", Protocol.TCP);

        Cluster() {
            add(0, SERVICES);
            ports.put(second, ServicePortInfo.clusterIP(ports.get(names.get(3)).clusterIP(), 443, Protocol.TCP));
            endpoints.put(second, new ArrayList<>(endpoints.get(names.get(3))));
        }

        /** Services {@code from} … {@code from + count - 1}, shaped as described above. */
        void add(int from, int count) {
            for (int i = from; i < from + count; i++) {
                Protocol proto = i == 7 ? Protocol.UDP : Protocol.TCP;
                ServicePortName name = new ServicePortName("ns" + i % 10, "svc" + i, "p", proto);
                names.add(name);
                String vip = "10.96." + (i + 1 >> 8 & 0xff) + "." + (i + 1 & 0xff);
                ServicePortInfo info = ServicePortInfo.clusterIP(vip, i == 7 ? 53 : 80, proto);
                if (i % 5 == 0 || i == 7) {
                    info = info.withNodePort(30000 + i);
                }
                ports.put(name, info);
                List<EndpointInfo> eps = new ArrayList<>();
                for (int j = 0; i != 7 && j < 3; j++) {
                    eps.add(EndpointInfo.ready("10.244." + (i >> 6) + "." + ((i & 63) * 4 + j), 8080));
                }
                endpoints.put(name, eps);
            }
        }

        ServicePortName name(int i) {
            return names.get(i);
        }

        ProxySnapshot snapshot() {
            Map<ServicePortName, List<EndpointInfo>> copy = new TreeMap<>();
            endpoints.forEach((k, v) -> {
                if (ports.containsKey(k)) {
                    List<EndpointInfo> sorted = new ArrayList<>(v);
                    sorted.sort(null);
                    copy.put(k, List.copyOf(sorted));
                }
            });
            return new ProxySnapshot(ServicePortMap.of(ports), EndpointsMap.of(copy));
        }
    }
}
