package dev.junction.proxy.userspace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxyMode;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import dev.junction.testing.RequiresRoot;
import dev.junction.testing.TestNetns;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortalRulesTest {
    static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);
    static final ServicePortName EMPTY = new ServicePortName("default", "empty", "", Protocol.UDP);
    static final ServicePortInfo WEB_INFO = ServicePortInfo.clusterIP("10.96.0.5", 80, Protocol.TCP).withNodePort(30080)
            .withExternal(List.of("192.168.99.1"), List.of(), List.of());
    static final ServicePortInfo EMPTY_INFO = ServicePortInfo.clusterIP("10.96.0.6", 53, Protocol.UDP);

    @Test
    void redirectsPortsWithEndpointsAndRejectsTheOthers() {
        String web = PortalRules.bucketChain("X", PortalRules.bucket(WEB)).substring(1);
        String empty = PortalRules.bucketChain("X", PortalRules.bucket(EMPTY)).substring(1);
        assertThat(PortalRules.of(WEB, WEB_INFO, OptionalInt.of(40000), true)).isEqualTo(new PortalRules.PortRules(
                PortalRules.bucket(WEB), List.of(
                "-A KUBE-PORTALS-CONTAINER" + web + " -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 80 -d 10.96.0.5/32 -j REDIRECT --to-ports 40000",
                "-A KUBE-PORTALS-CONTAINER" + web + " -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 80 -d 192.168.99.1/32 -j REDIRECT --to-ports 40000",
                "-A KUBE-PORTALS-HOST" + web + " -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 80 -d 10.96.0.5/32 -j REDIRECT --to-ports 40000",
                "-A KUBE-PORTALS-HOST" + web + " -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 80 -d 192.168.99.1/32 -j REDIRECT --to-ports 40000",
                "-A KUBE-NODEPORT-CONTAINER" + web + " -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 30080 -j REDIRECT --to-ports 40000",
                "-A KUBE-NODEPORT-HOST" + web + " -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 30080 -j REDIRECT --to-ports 40000"),
                List.of()));
        assertThat(PortalRules.of(EMPTY, EMPTY_INFO, OptionalInt.of(40001), false).filter()).containsExactly(
                "-A KUBE-PORTALS-REJECT" + empty + " -m comment --comment \"default/empty\" -p udp -m udp --dport 53 -d 10.96.0.6/32 -j REJECT");
        assertThat(PortalRules.of(WEB, WEB_INFO, OptionalInt.of(40000), false).filter()).containsExactly(
                "-A KUBE-PORTALS-REJECT" + web + " -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 80 -d 10.96.0.5/32 -j REJECT",
                "-A KUBE-PORTALS-REJECT" + web + " -m comment --comment \"default/web:http\" -p tcp -m tcp --dport 80 -d 192.168.99.1/32 -j REJECT",
                "-A KUBE-PORTALS-REJECT" + web + " -m comment --comment \"default/web:http\" -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j REJECT");
    }

    @Test
    void fullRenderDeclaresEveryBucketAndJumpsToEach() {
        String rules = PortalRules.render(Map.of(WEB, WEB_INFO, EMPTY, EMPTY_INFO), Map.of(WEB, 40000, EMPTY, 40001), Set.of(WEB));
        List<String> lines = rules.lines().toList();
        assertThat(lines).startsWith("*nat", ":KUBE-PORTALS-CONTAINER - [0:0]").endsWith("COMMIT")
                .contains("*filter", ":KUBE-PORTALS-REJECT - [0:0]", ":KUBE-PORTALS-CONTAINER-00 - [0:0]", ":KUBE-PORTALS-REJECT-3F - [0:0]",
                        "-A KUBE-PORTALS-HOST -j KUBE-PORTALS-HOST-3F", "-A KUBE-PORTALS-REJECT -j KUBE-PORTALS-REJECT-00")
                .containsAll(PortalRules.of(WEB, WEB_INFO, OptionalInt.of(40000), true).nat())
                .containsAll(PortalRules.of(EMPTY, EMPTY_INFO, OptionalInt.of(40001), false).filter());
        assertThat(lines.stream().filter(l -> l.startsWith(":"))).hasSize(5 + 5 * PortalRules.BUCKETS);
        assertThat(lines.stream().filter(l -> l.contains(" -j KUBE-"))).hasSize(5 * PortalRules.BUCKETS);
    }

    @Test
    void bucketRewriteFlushesAndRefillsOnlyTheGivenBuckets() {
        PortalRules.PortRules web = PortalRules.of(WEB, WEB_INFO, OptionalInt.of(40000), true);
        PortalRules.PortRules empty = PortalRules.of(EMPTY, EMPTY_INFO, OptionalInt.of(40001), false);
        int b = web.bucket();
        assertThat(PortalRules.buckets(List.of(web, empty), Set.of(b), Set.of())).isEqualTo("*nat\n"
                + ":" + PortalRules.bucketChain("KUBE-PORTALS-CONTAINER", b) + " - [0:0]\n"
                + ":" + PortalRules.bucketChain("KUBE-PORTALS-HOST", b) + " - [0:0]\n"
                + ":" + PortalRules.bucketChain("KUBE-NODEPORT-CONTAINER", b) + " - [0:0]\n"
                + ":" + PortalRules.bucketChain("KUBE-NODEPORT-HOST", b) + " - [0:0]\n"
                + String.join("\n", web.nat()) + "\nCOMMIT\n");
        assertThat(PortalRules.buckets(List.of(web, empty), Set.of(), Set.of())).isEmpty();
        assertThat(PortalRules.bucket(WEB)).as("stable across JVMs: String hashes only")
                .isEqualTo(Math.floorMod("default/web:http/TCP".hashCode(), PortalRules.BUCKETS));
    }

    @Test
    @RequiresRoot(commands = {"iptables-restore", "iptables-save"})
    void rulesAreAcceptedByIptablesInATestNamespace() {
        try (TestNetns ns = TestNetns.create("pusr");
                UserspaceProxier proxier = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250),
                        Optional.of(CommandRunner.system()), List.of("ip", "netns", "exec", ns.name()))) {
            proxier.sync(new ProxySnapshot(ServicePortMap.of(Map.of(WEB, WEB_INFO, EMPTY, EMPTY_INFO)),
                    EndpointsMap.of(Map.of(WEB, List.of(EndpointInfo.ready("127.0.0.1", 8080))))), NodeInfo.named("n"));
            int port = proxier.listenerPort(WEB).orElseThrow();
            assertThat(ns.check("iptables-save", "-t", "nat").stdout())
                    .contains("-A " + PortalRules.bucketChain("KUBE-PORTALS-CONTAINER", PortalRules.bucket(WEB))
                            + " -d 10.96.0.5/32 -p tcp -m comment --comment \"default/web:http\" -m tcp --dport 80 -j REDIRECT --to-ports " + port)
                    .contains("-A PREROUTING -m comment --comment \"handle ClusterIPs; NOTE: this must be before the NodePort rules\" -j KUBE-PORTALS-CONTAINER");
            assertThat(ns.check("iptables-save", "-t", "filter").stdout()).contains("-j KUBE-PORTALS-REJECT", "--dport 53 -j REJECT");
        }
    }

    @Test
    @RequiresRoot(commands = {"iptables-restore", "iptables-save"})
    void partialSyncsDeleteAndAddOnlyTheChangedPortsRules() {
        try (TestNetns ns = TestNetns.create("pusd");
                UserspaceProxier proxier = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250),
                        Optional.of(CommandRunner.system()), List.of("ip", "netns", "exec", ns.name()))) {
            ServicePortMap services = ServicePortMap.of(Map.of(WEB, WEB_INFO, EMPTY, EMPTY_INFO));
            proxier.sync(new ProxySnapshot(services, EndpointsMap.of(Map.of(WEB, List.of(EndpointInfo.ready("127.0.0.1", 8080))))),
                    NodeInfo.named("n"));
            // WEB loses its endpoints, EMPTY gains one: -D/-A lines through the real iptables-restore.
            proxier.sync(new ProxySnapshot(services, EndpointsMap.of(Map.of(EMPTY, List.of(EndpointInfo.ready("127.0.0.1", 53))))),
                    NodeInfo.named("n"));
            assertThat(proxier.fullSyncs()).isEqualTo(1);
            assertThat(proxier.partialSyncs()).isEqualTo(1);
            int dns = proxier.listenerPort(EMPTY).orElseThrow();
            String nat = ns.check("iptables-save", "-t", "nat").stdout();
            assertThat(nat).doesNotContain("default/web:http\" -m tcp --dport 80 -j REDIRECT")
                    .contains("-A " + PortalRules.bucketChain("KUBE-PORTALS-HOST", PortalRules.bucket(EMPTY))
                            + " -d 10.96.0.6/32 -p udp -m comment --comment \"default/empty\" -m udp --dport 53 -j REDIRECT --to-ports " + dns);
            String filter = ns.check("iptables-save", "-t", "filter").stdout();
            assertThat(filter).contains("-A " + PortalRules.bucketChain("KUBE-PORTALS-REJECT", PortalRules.bucket(WEB))
                            + " -d 10.96.0.5/32 -p tcp -m comment --comment \"default/web:http\" -m tcp --dport 80 -j REJECT")
                    .doesNotContain("--dport 53 -j REJECT");
        }
    }

    @Test
    void registeredAsProxyMode() {
        assertThat(ProxyMode.forName("userspace")).isInstanceOf(UserspaceProxyMode.class);
    }
}
