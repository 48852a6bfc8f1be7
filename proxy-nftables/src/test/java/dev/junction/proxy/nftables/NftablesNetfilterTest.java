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
import dev.junction.proxy.SessionAffinity;
import dev.junction.proxy.TrafficPolicy;
import dev.junction.testing.RequiresRoot;
import dev.junction.testing.TestNetns;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rendered table on real netfilter: a "node" and a "server" namespace joined by a veth pair
 * (10.250.0.1/24 ↔ 10.250.0.2/24, nothing in the root namespace); the table lives in the node
 * namespace and real TCP connections show what kube-proxy's nftables mode promises.
 */
@RequiresRoot(commands = {"nft", "socat"})
class NftablesNetfilterTest {
    private static final CommandRunner RUN = CommandRunner.system();
    private static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);
    private static final ServicePortName EMPTY = new ServicePortName("default", "empty", "http", Protocol.TCP);
    private static final ServicePortName STICKY = new ServicePortName("default", "sticky", "", Protocol.TCP);
    private static final NodeInfo NODE = new NodeInfo("test-node", Map.of(), List.of("10.250.0.1"), List.of());

    @Test
    void clusterIpNodePortRejectIncrementalUpdatesAndRepairAfterFlush() throws Exception {
        try (TestNetns node = TestNetns.create("nnod"); TestNetns server = TestNetns.create("nsrv")) {
            RUN.check("ip", "-n", node.name(), "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
                    "netns", server.name());
            RUN.check("ip", "-n", node.name(), "addr", "add", "10.250.0.1/24", "dev", "veth0");
            RUN.check("ip", "-n", server.name(), "addr", "add", "10.250.0.2/24", "dev", "veth1");
            RUN.check("ip", "-n", node.name(), "link", "set", "veth0", "up");
            RUN.check("ip", "-n", server.name(), "link", "set", "veth1", "up");
            RUN.check("ip", "-n", node.name(), "route", "add", "10.96.0.0/12", "dev", "veth0");
            node.check("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            Process a = echoServer(server, 8000, "server-a");
            Process b = echoServer(server, 8001, "server-b");
            try {
                NftablesProxier proxier = new NftablesProxier(RUN, List.of("ip", "netns", "exec", node.name()),
                        ProxyConfig.defaults().withMode("nftables"), List.of("10.96.0.0/12"));
                proxier.sync(snapshot(8000), NODE);
                assertThat(proxier.fullSyncs()).isEqualTo(1);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(node, "10.96.100.1:80").stdout()).isEqualTo("server-a\n"));
                // NodePort from another host: DNATed back to the endpoint and masqueraded.
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(server, "10.250.0.1:30080").stdout()).isEqualTo("server-a\n"));
                CommandResult refused = connect(node, "10.96.100.2:80");
                assertThat(refused.ok()).isFalse();
                assertThat(refused.stderr()).contains("Connection refused");
                assertThat(connect(node, "10.96.100.3:443").stdout()).isEqualTo("server-b\n");

                // One endpoint changes: an incremental transaction touching only that Service.
                proxier.sync(snapshot(8001), NODE);
                assertThat(proxier.partialSyncs()).isEqualTo(1);
                assertThat(proxier.lastTransaction()).contains(NftablesChains.serviceChain(WEB))
                        .doesNotContain(NftablesChains.serviceChain(STICKY)).doesNotContain("delete table");
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(node, "10.96.100.1:80").stdout()).isEqualTo("server-b\n"));
                String table = node.check("nft", "list", "table", "ip", "kube-proxy").stdout();
                assertThat(table).doesNotContain(NftablesChains.endpointChain(WEB, EndpointInfo.ready("10.250.0.2", 8000)));

                // An unchanged sync (the periodic one) finds the table intact and leaves it alone:
                // the check must read this nft's own listing of the masquerade rule.
                proxier.sync(snapshot(8001), NODE);
                assertThat(proxier.fullSyncs()).isEqualTo(1);
                // ... through one netlink dump of mark-for-masquerade, not nft's whole-cache listing
                assertThat(proxier.netlinkTableChecks()).isEqualTo(1);

                // Someone flushes the table's rules (chains stay); the next unchanged sync repairs it.
                node.check("nft", "flush", "table", "ip", "kube-proxy");
                proxier.sync(snapshot(8001), NODE);
                assertThat(proxier.fullSyncs()).isEqualTo(2);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(node, "10.96.100.1:80").stdout()).isEqualTo("server-b\n"));

                // Someone flushes everything; the next (even unchanged) sync repairs it.
                node.check("nft", "flush", "ruleset");
                proxier.sync(snapshot(8001), NODE);
                assertThat(proxier.fullSyncs()).isEqualTo(3);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(node, "10.96.100.1:80").stdout()).isEqualTo("server-b\n"));

                // The checked chain itself is deleted (after its rules and the jumps to it): repaired.
                node.check("nft", "flush", "table", "ip", "kube-proxy");
                node.check("nft", "delete", "chain", "ip", "kube-proxy", "mark-for-masquerade");
                proxier.sync(snapshot(8001), NODE);
                assertThat(proxier.fullSyncs()).isEqualTo(4);
                assertThat(node.check("nft", "list", "chain", "ip", "kube-proxy", "mark-for-masquerade").stdout())
                        .contains("mark set");

                // The whole table is deleted: repaired.
                node.check("nft", "delete", "table", "ip", "kube-proxy");
                proxier.sync(snapshot(8001), NODE);
                assertThat(proxier.fullSyncs()).isEqualTo(5);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(connect(node, "10.96.100.1:80").stdout()).isEqualTo("server-b\n"));

                // Intact again: the next unchanged sync leaves it alone, and the nft path agrees.
                proxier.sync(snapshot(8001), NODE);
                proxier.setNetlinkEnabled(false);
                proxier.sync(snapshot(8001), NODE);
                assertThat(proxier.fullSyncs()).isEqualTo(5);
                proxier.setNetlinkEnabled(true);

                proxier.cleanup();
                assertThat(node.check("nft", "list", "ruleset").stdout()).doesNotContain("kube-proxy");
            } finally {
                a.destroyForcibly().waitFor();
                b.destroyForcibly().waitFor();
            }
        }
    }

    private static ProxySnapshot snapshot(int targetPort) {
        return new ProxySnapshot(
                ServicePortMap.of(Map.of(
                        WEB, ServicePortInfo.clusterIP("10.96.100.1", 80, Protocol.TCP).withNodePort(30080),
                        EMPTY, ServicePortInfo.clusterIP("10.96.100.2", 80, Protocol.TCP).withNodePort(30081)
                                .withExternal(List.of("192.168.99.1"), List.of("192.168.98.1"), List.of("203.0.113.0/24"))
                                .withPolicies(TrafficPolicy.LOCAL, TrafficPolicy.CLUSTER, 0),
                        STICKY, ServicePortInfo.clusterIP("10.96.100.3", 443, Protocol.TCP)
                                .withSessionAffinity(SessionAffinity.clientIp(10800)))),
                EndpointsMap.of(Map.of(
                        WEB, List.of(EndpointInfo.ready("10.250.0.2", targetPort)),
                        STICKY, List.of(EndpointInfo.ready("10.250.0.2", 8001)))));
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
