package dev.junction.proxy.iptables;

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
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rendered rules on real netfilter: a "client" and a "server" namespace joined by a veth pair
 * (10.250.0.1/24 ↔ 10.250.0.2/24, nothing in the root namespace); rules are applied in the client
 * namespace only, and real TCP connections from there show what kube-proxy promises.
 */
@RequiresRoot(commands = {"iptables-restore", "iptables-save", "socat"})
class IptablesNetfilterTest {
    private static final CommandRunner RUN = CommandRunner.system();
    private static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);
    private static final ServicePortName EMPTY = new ServicePortName("default", "empty", "http", Protocol.TCP);

    @Test
    void clusterIpReachesEndpointRejectsWithoutEndpointsAndFollowsChanges() throws Exception {
        try (TestNetns client = TestNetns.create("pcli"); TestNetns server = TestNetns.create("psrv")) {
            RUN.check("ip", "-n", client.name(), "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
                    "netns", server.name());
            RUN.check("ip", "-n", client.name(), "addr", "add", "10.250.0.1/24", "dev", "veth0");
            RUN.check("ip", "-n", server.name(), "addr", "add", "10.250.0.2/24", "dev", "veth1");
            RUN.check("ip", "-n", client.name(), "link", "set", "veth0", "up");
            RUN.check("ip", "-n", server.name(), "link", "set", "veth1", "up");
            // The Service CIDR must be routable for the first route lookup, before OUTPUT's DNAT.
            RUN.check("ip", "-n", client.name(), "route", "add", "10.96.0.0/12", "dev", "veth0");

            Process a = echoServer(server, 8000, "server-a");
            Process b = echoServer(server, 8001, "server-b");
            try {
                IptablesProxier proxier = new IptablesProxier(RUN, List.of("ip", "netns", "exec", client.name()),
                        IptablesBackend.DEFAULT, ProxyConfig.defaults());
                proxier.sync(snapshot(8000), NodeInfo.named("test-node"));
                String firstSep = IptablesChains.servicePortEndpointChain(WEB, EndpointInfo.ready("10.250.0.2", 8000));

                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(client, "10.96.100.1:80").stdout()).isEqualTo("server-a\n"));

                CommandResult refused = connect(client, "10.96.100.2:80");
                assertThat(refused.ok()).isFalse();
                assertThat(refused.stderr()).contains("Connection refused");

                proxier.sync(snapshot(8001), NodeInfo.named("test-node"));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(client, "10.96.100.1:80").stdout()).isEqualTo("server-b\n"));

                String nat = client.check("iptables-save", "-t", "nat").stdout();
                assertThat(nat).doesNotContain(firstSep);
                assertThat(nat.lines().filter(l -> l.startsWith("-A OUTPUT") && l.endsWith("-j KUBE-SERVICES")).count())
                        .as("jump rules are installed once").isEqualTo(1);
            } finally {
                a.destroyForcibly().waitFor();
                b.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void nodePortFromAnotherHostIsForwardedToTheEndpoint() throws Exception {
        try (TestNetns node = TestNetns.create("pnod"); TestNetns server = TestNetns.create("psrv")) {
            RUN.check("ip", "-n", node.name(), "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
                    "netns", server.name());
            RUN.check("ip", "-n", node.name(), "addr", "add", "10.250.0.1/24", "dev", "veth0");
            RUN.check("ip", "-n", server.name(), "addr", "add", "10.250.0.2/24", "dev", "veth1");
            RUN.check("ip", "-n", node.name(), "link", "set", "veth0", "up");
            RUN.check("ip", "-n", server.name(), "link", "set", "veth1", "up");
            // Forwarding inside the test's node namespace only (a per-namespace sysctl).
            node.check("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");

            Process a = echoServer(server, 8000, "server-a");
            try {
                ServicePortInfo web = ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP).withNodePort(30080);
                ProxySnapshot snapshot = new ProxySnapshot(ServicePortMap.of(Map.of(WEB, web)),
                        EndpointsMap.of(Map.of(WEB, List.of(EndpointInfo.ready("10.250.0.2", 8000)))));
                new IptablesProxier(RUN, List.of("ip", "netns", "exec", node.name()), IptablesBackend.DEFAULT,
                        ProxyConfig.defaults()).sync(snapshot, NodeInfo.named("test-node"));
                // The "server" host dials the node's NodePort; the node DNATs it back to the endpoint and
                // masquerades it (external traffic, Cluster policy), so the reply returns through the node.
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(server, "10.250.0.1:30080").stdout()).isEqualTo("server-a\n"));
            } finally {
                a.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void everyRuleShapeIsAcceptedAndCleanupRemovesEverything() {
        try (TestNetns node = TestNetns.create("pall")) {
            ServicePortName dns = new ServicePortName("kube-system", "kube-dns", "dns", Protocol.UDP);
            ServicePortName sticky = new ServicePortName("default", "sticky", "", Protocol.TCP);
            ProxySnapshot snapshot = new ProxySnapshot(
                    ServicePortMap.of(Map.of(
                            WEB, ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP).withNodePort(30080),
                            EMPTY, ServicePortInfo.clusterIP("10.96.100.2", 80, Protocol.TCP).withNodePort(30081),
                            dns, ServicePortInfo.clusterIP("10.96.0.10", 53, Protocol.UDP),
                            sticky, ServicePortInfo.clusterIP("10.96.100.3", 443, Protocol.TCP)
                                    .withSessionAffinity(dev.junction.proxy.SessionAffinity.clientIp(10800)))),
                    EndpointsMap.of(Map.of(
                            WEB, List.of(EndpointInfo.ready("10.244.1.2", 8000), EndpointInfo.ready("10.244.2.2", 8000),
                                    EndpointInfo.ready("10.244.2.3", 8000)),
                            dns, List.of(EndpointInfo.ready("10.244.0.5", 53)),
                            sticky, List.of(EndpointInfo.ready("10.244.1.9", 8443), EndpointInfo.ready("10.244.2.9", 8443)))));
            IptablesProxier proxier = new IptablesProxier(RUN, List.of("ip", "netns", "exec", node.name()),
                    IptablesBackend.DEFAULT, ProxyConfig.defaults());
            proxier.sync(snapshot, NodeInfo.named("test-node"));
            String nat = node.check("iptables-save", "-t", "nat").stdout();
            assertThat(nat).contains("--probability 0.33333333349", "-m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-",
                    "-p udp -m comment --comment \"kube-system/kube-dns:dns cluster IP\"", "--random-fully");
            assertThat(node.check("iptables-save", "-t", "filter").stdout())
                    .contains("-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment \"default/empty:http has no endpoints\"");

            proxier.cleanup();
            assertThat(node.check("iptables-save").stdout()).doesNotContain("KUBE-");
        }
    }

    /**
     * A client host (10.251.0.2) reaches an external IP through the node: with
     * externalTrafficPolicy Local the endpoint sees the client's own address, with Cluster the
     * node's. Then the nat table is flushed and the canary deleted by hand; the next sync repairs it.
     */
    @Test
    void externalTrafficPolicyLocalKeepsTheClientAddressAndFlushedTablesAreRepaired() throws Exception {
        try (TestNetns node = TestNetns.create("pnod"); TestNetns server = TestNetns.create("psrv");
                TestNetns client = TestNetns.create("pcli")) {
            RUN.check("ip", "-n", node.name(), "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", server.name());
            RUN.check("ip", "-n", node.name(), "link", "add", "veth2", "type", "veth", "peer", "name", "veth3", "netns", client.name());
            RUN.check("ip", "-n", node.name(), "addr", "add", "10.250.0.1/24", "dev", "veth0");
            RUN.check("ip", "-n", node.name(), "addr", "add", "10.251.0.1/24", "dev", "veth2");
            RUN.check("ip", "-n", server.name(), "addr", "add", "10.250.0.2/24", "dev", "veth1");
            RUN.check("ip", "-n", client.name(), "addr", "add", "10.251.0.2/24", "dev", "veth3");
            for (String[] link : new String[][] {{node.name(), "veth0"}, {node.name(), "veth2"}, {server.name(), "veth1"},
                    {client.name(), "veth3"}}) {
                RUN.check("ip", "-n", link[0], "link", "set", link[1], "up");
            }
            RUN.check("ip", "-n", server.name(), "route", "add", "10.251.0.0/24", "via", "10.250.0.1");
            RUN.check("ip", "-n", client.name(), "route", "add", "default", "via", "10.251.0.1");
            node.check("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            Process peer = new ProcessBuilder("ip", "netns", "exec", server.name(), "socat",
                    "TCP-LISTEN:8000,bind=10.250.0.2,fork,reuseaddr", "SYSTEM:echo $SOCAT_PEERADDR")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                EndpointInfo local = new EndpointInfo("10.250.0.2", 8000, true, true, false,
                        java.util.Optional.of("test-node"), true);
                ServicePortInfo external = ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP)
                        .withExternal(List.of("192.168.99.1"), List.of(), List.of());
                IptablesProxier proxier = new IptablesProxier(RUN, List.of("ip", "netns", "exec", node.name()),
                        IptablesBackend.DEFAULT, ProxyConfig.defaults());
                ProxySnapshot localPolicy = new ProxySnapshot(ServicePortMap.of(Map.of(WEB,
                        external.withPolicies(dev.junction.proxy.TrafficPolicy.LOCAL, dev.junction.proxy.TrafficPolicy.CLUSTER, 0))),
                        EndpointsMap.of(Map.of(WEB, List.of(local))));
                proxier.sync(localPolicy, NodeInfo.named("test-node"));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(client, "192.168.99.1:80").stdout()).isEqualTo("10.251.0.2\n"));

                proxier.sync(new ProxySnapshot(ServicePortMap.of(Map.of(WEB, external)), EndpointsMap.of(Map.of(WEB, List.of(local)))),
                        NodeInfo.named("test-node"));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(client, "192.168.99.1:80").stdout()).isEqualTo("10.250.0.1\n"));

                node.check("iptables", "-t", "nat", "-F");
                node.check("iptables", "-t", "mangle", "-X", IptablesProxier.CANARY);
                assertThat(connect(client, "192.168.99.1:80").ok()).isFalse();
                proxier.sync(localPolicy, NodeInfo.named("test-node"));
                assertThat(proxier.fullSyncs()).isEqualTo(2);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(client, "192.168.99.1:80").stdout()).isEqualTo("10.251.0.2\n"));
            } finally {
                peer.destroyForcibly().waitFor();
            }
        }
    }

    private static ProxySnapshot snapshot(int targetPort) {
        return new ProxySnapshot(
                ServicePortMap.of(Map.of(
                        WEB, ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP),
                        EMPTY, ServicePortInfo.clusterIP("10.96.100.2", 80, Protocol.TCP))),
                EndpointsMap.of(Map.of(WEB, List.of(EndpointInfo.ready("10.250.0.2", targetPort)))));
    }

    private static Process echoServer(TestNetns ns, int port, String reply) throws IOException {
        return new ProcessBuilder("ip", "netns", "exec", ns.name(), "socat",
                "TCP-LISTEN:" + port + ",bind=10.250.0.2,fork,reuseaddr", "SYSTEM:echo " + reply)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private static CommandResult connect(TestNetns client, String address) {
        return client.exec(new String[] {"socat", "-t", "5", "-T", "5", "-", "TCP:" + address + ",connect-timeout=5"});
    }
}
