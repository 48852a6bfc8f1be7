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
        String rules = PortalRules.render(Map.of(WEB, WEB_INFO, EMPTY, EMPTY_INFO), Map.of(WEB, 40000, EMPTY, 40001), Set.of(WEB));
        assertThat(rules).isEqualTo("""
                *nat
                :KUBE-PORTALS-CONTAINER - [0:0]
                :KUBE-PORTALS-HOST - [0:0]
                :KUBE-NODEPORT-CONTAINER - [0:0]
                :KUBE-NODEPORT-HOST - [0:0]
                -A KUBE-PORTALS-CONTAINER -m comment --comment "default/web:http" -p tcp -m tcp --dport 80 -d 10.96.0.5/32 -j REDIRECT --to-ports 40000
                -A KUBE-PORTALS-CONTAINER -m comment --comment "default/web:http" -p tcp -m tcp --dport 80 -d 192.168.99.1/32 -j REDIRECT --to-ports 40000
                -A KUBE-PORTALS-HOST -m comment --comment "default/web:http" -p tcp -m tcp --dport 80 -d 10.96.0.5/32 -j REDIRECT --to-ports 40000
                -A KUBE-PORTALS-HOST -m comment --comment "default/web:http" -p tcp -m tcp --dport 80 -d 192.168.99.1/32 -j REDIRECT --to-ports 40000
                -A KUBE-NODEPORT-CONTAINER -m comment --comment "default/web:http" -p tcp -m tcp --dport 30080 -j REDIRECT --to-ports 40000
                -A KUBE-NODEPORT-HOST -m comment --comment "default/web:http" -p tcp -m tcp --dport 30080 -j REDIRECT --to-ports 40000
                COMMIT
                *filter
                :KUBE-PORTALS-REJECT - [0:0]
                -A KUBE-PORTALS-REJECT -m comment --comment "default/empty" -p udp -m udp --dport 53 -d 10.96.0.6/32 -j REJECT
                COMMIT
                """);
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
                    .contains("-A KUBE-PORTALS-CONTAINER -d 10.96.0.5/32 -p tcp -m comment --comment \"default/web:http\" -m tcp --dport 80 -j REDIRECT --to-ports " + port)
                    .contains("-A PREROUTING -m comment --comment \"handle ClusterIPs; NOTE: this must be before the NodePort rules\" -j KUBE-PORTALS-CONTAINER");
            assertThat(ns.check("iptables-save", "-t", "filter").stdout()).contains("-j KUBE-PORTALS-REJECT", "--dport 53 -j REJECT");
        }
    }

    @Test
    void registeredAsProxyMode() {
        assertThat(ProxyMode.forName("userspace")).isInstanceOf(UserspaceProxyMode.class);
    }
}
