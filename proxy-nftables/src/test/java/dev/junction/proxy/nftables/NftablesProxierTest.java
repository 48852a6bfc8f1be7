package dev.junction.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.common.CommandFailedException;
import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxyMode;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The proxier's transactions, through a recording {@link CommandRunner}. */
class NftablesProxierTest {
    static final class Recorder implements CommandRunner {
        final List<List<String>> argvs = new ArrayList<>();
        final List<String> stdins = new ArrayList<>();
        Function<List<String>, CommandResult> reply = argv -> new CommandResult(argv, 0, "mark set mark or 0x4000", "");

        @Override
        public CommandResult run(List<String> argv, String stdin, Duration timeout) {
            argvs.add(argv);
            stdins.add(stdin);
            return reply.apply(argv);
        }

        List<String> transactions() {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < argvs.size(); i++) {
                if (argvs.get(i).equals(List.of("nft", "-f", "-"))) {
                    out.add(stdins.get(i));
                }
            }
            return out;
        }
    }

    private static final ServicePortName A = new ServicePortName("ns", "a", "p", Protocol.TCP);
    private static final ServicePortName B = new ServicePortName("ns", "b", "p", Protocol.TCP);
    private static final NodeInfo NODE = NodeInfo.named("n");

    private static ProxySnapshot snapshot(String... bEndpoints) {
        List<EndpointInfo> eps = new ArrayList<>();
        for (String ip : bEndpoints) {
            eps.add(EndpointInfo.ready(ip, 80));
        }
        return new ProxySnapshot(
                ServicePortMap.of(Map.of(A, ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP),
                        B, ServicePortInfo.clusterIP("10.96.0.2", 80, Protocol.TCP))),
                EndpointsMap.of(Map.of(A, List.of(EndpointInfo.ready("10.244.1.1", 80)), B, eps)));
    }

    @Test
    void fullThenIncrementalThenNothing() {
        Recorder rec = new Recorder();
        NftablesProxier proxier = new NftablesProxier(rec, List.of(), ProxyConfig.defaults(), List.of("10.96.0.0/12"));
        proxier.sync(snapshot("10.244.2.1"), NODE);
        assertThat(rec.transactions()).hasSize(1);
        assertThat(rec.transactions().get(0)).startsWith("add table ip kube-proxy\ndelete table ip kube-proxy\n");

        rec.argvs.clear();
        rec.stdins.clear();
        proxier.sync(snapshot("10.244.2.1", "10.244.2.2"), NODE);
        String tx = rec.transactions().get(0);
        String stale = NftablesChains.endpointChain(B, EndpointInfo.ready("10.244.2.1", 80));
        assertThat(tx).contains("flush chain ip kube-proxy " + NftablesChains.serviceChain(B),
                        "numgen random mod 2 vmap", "add chain ip kube-proxy " + NftablesChains.endpointChain(B, EndpointInfo.ready("10.244.2.2", 80)))
                .doesNotContain(NftablesChains.serviceChain(A)).doesNotContain("table").doesNotContain("delete chain");

        rec.argvs.clear();
        rec.stdins.clear();
        proxier.sync(snapshot("10.244.2.2"), NODE);
        assertThat(rec.transactions().get(0)).endsWith("flush chain ip kube-proxy " + stale + "\ndelete chain ip kube-proxy " + stale + "\n");

        rec.argvs.clear();
        proxier.sync(snapshot("10.244.2.2"), NODE);
        assertThat(rec.transactions()).as("nothing changed: only the canary check").isEmpty();
        assertThat(rec.argvs).containsExactly(List.of("nft", "list", "chain", "ip", "kube-proxy", "mark-for-masquerade"));
        assertThat(proxier.fullSyncs()).isEqualTo(1);
        assertThat(proxier.partialSyncs()).isEqualTo(3);
    }

    @Test
    void changeSetLimitsTheRenderToTheChangedPorts() {
        Recorder rec = new Recorder();
        NftablesProxier proxier = new NftablesProxier(rec, List.of(), ProxyConfig.defaults(), List.of("10.96.0.0/12"));
        ProxySnapshot s0 = snapshot("10.244.2.1");
        proxier.sync(s0, NODE);
        assertThat(proxier.lastSyncPortsExamined()).isEqualTo(2);
        rec.argvs.clear();
        rec.stdins.clear();

        // B's endpoints change and the snapshot says so: only B is looked at and rewritten.
        ProxySnapshot s1 = ProxySnapshot.changedFrom(s0, s0.services(), snapshot("10.244.2.1", "10.244.2.2").endpoints(), Set.of(B));
        proxier.sync(s1, NODE);
        assertThat(proxier.lastSyncPortsExamined()).isEqualTo(1);
        assertThat(rec.transactions().get(0)).contains("numgen random mod 2 vmap").doesNotContain(NftablesChains.serviceChain(A));

        // A port outside the change set is not looked at: A's new endpoint waits for a snapshot that names it.
        rec.argvs.clear();
        rec.stdins.clear();
        Map<ServicePortName, List<EndpointInfo>> eps = new java.util.TreeMap<>(s1.endpoints().endpoints());
        eps.put(A, List.of(EndpointInfo.ready("10.244.1.1", 80), EndpointInfo.ready("10.244.1.9", 80)));
        ProxySnapshot s2 = ProxySnapshot.changedFrom(s1, s1.services(), EndpointsMap.of(eps), Set.of());
        proxier.sync(s2, NODE);
        assertThat(rec.transactions()).isEmpty();
        ProxySnapshot s3 = ProxySnapshot.changedFrom(s2, s2.services(), EndpointsMap.of(eps), Set.of(A));
        proxier.sync(s3, NODE);
        assertThat(rec.transactions().get(0)).contains("flush chain ip kube-proxy " + NftablesChains.serviceChain(A));

        // B deleted, named in the set: its elements and chains go.
        rec.argvs.clear();
        rec.stdins.clear();
        ProxySnapshot s4 = ProxySnapshot.changedFrom(s3, ServicePortMap.of(Map.of(A, s3.services().get(A).orElseThrow())),
                s3.endpoints(), Set.of(B));
        proxier.sync(s4, NODE);
        assertThat(rec.transactions().get(0)).contains("delete element ip kube-proxy service-ips { 10.96.0.2 . tcp . 80 }",
                "delete chain ip kube-proxy " + NftablesChains.serviceChain(B));
        assertThat(proxier.fullSyncs()).isEqualTo(1);
    }

    @Test
    void removedServiceLosesElementsBeforeItsChains() {
        Recorder rec = new Recorder();
        NftablesProxier proxier = new NftablesProxier(rec, List.of(), ProxyConfig.defaults(), List.of());
        proxier.sync(snapshot("10.244.2.1"), NODE);
        rec.argvs.clear();
        rec.stdins.clear();
        proxier.sync(new ProxySnapshot(ServicePortMap.of(Map.of(A, ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP))),
                EndpointsMap.of(Map.of(A, List.of(EndpointInfo.ready("10.244.1.1", 80))))), NODE);
        String tx = rec.transactions().get(0);
        assertThat(tx.indexOf("delete element ip kube-proxy service-ips { 10.96.0.2 . tcp . 80 }"))
                .isNotNegative().isLessThan(tx.indexOf("delete chain ip kube-proxy " + NftablesChains.serviceChain(B)));
        assertThat(tx).contains("delete element ip kube-proxy cluster-ips { 10.96.0.2 }");
    }

    @Test
    void flushedTableAndFailuresForceAFullSync() {
        Recorder rec = new Recorder();
        NftablesProxier proxier = new NftablesProxier(rec, List.of(), ProxyConfig.defaults(), List.of());
        proxier.sync(snapshot("10.244.2.1"), NODE);
        rec.reply = argv -> new CommandResult(argv, 0, "table ip kube-proxy {\n\tchain mark-for-masquerade {\n\t}\n}\n", "");
        proxier.sync(snapshot("10.244.2.1"), NODE);
        assertThat(proxier.fullSyncs()).isEqualTo(2);

        rec.reply = argv -> new CommandResult(argv, 1, "", "Error: No such file or directory");
        assertThatThrownBy(() -> proxier.sync(snapshot("10.244.2.9"), NODE)).isInstanceOf(CommandFailedException.class);
        rec.reply = argv -> new CommandResult(argv, 0, "mark set mark or 0x4000", "");
        rec.argvs.clear();
        rec.stdins.clear();
        proxier.sync(snapshot("10.244.2.9"), NODE);
        assertThat(rec.transactions().get(0)).startsWith("add table ip kube-proxy\ndelete table");
    }

    @Test
    void registeredAsProxyMode() {
        assertThat(ProxyMode.forName("nftables")).isInstanceOf(NftablesProxyMode.class);
    }

    @Test
    void netlinkFollowsTheNamespaceTheArgvPrefixNamesAndIsOffWithAnInjectedRunner() {
        assertThat(NftablesProxier.netnsOf(List.of())).contains(java.util.Optional.empty());
        assertThat(NftablesProxier.netnsOf(List.of("ip", "netns", "exec", "jn-node-a")))
                .contains(java.util.Optional.of(java.nio.file.Path.of("/var/run/netns/jn-node-a")));
        assertThat(NftablesProxier.netnsOf(List.of("nsenter", "--net=/proc/1/ns/net")))
                .contains(java.util.Optional.of(java.nio.file.Path.of("/proc/1/ns/net")));
        assertThat(NftablesProxier.netnsOf(List.of("sudo"))).isEmpty();

        NftablesProxier injected = new NftablesProxier((argv, stdin, timeout) -> new CommandResult(argv, 0, "", ""),
                List.of(), ProxyConfig.defaults(), List.of());
        assertThat(injected.netlinkEnabled()).isFalse();
        injected.setNetlinkEnabled(true);
        assertThat(injected.netlinkEnabled()).isTrue();
        NftablesProxier unknownPrefix = new NftablesProxier((argv, stdin, timeout) -> new CommandResult(argv, 0, "", ""),
                List.of("sudo"), ProxyConfig.defaults(), List.of());
        unknownPrefix.setNetlinkEnabled(true);
        assertThat(unknownPrefix.netlinkEnabled()).isFalse();
    }
}
