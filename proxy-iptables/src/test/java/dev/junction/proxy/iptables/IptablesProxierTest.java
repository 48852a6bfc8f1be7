package dev.junction.proxy.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.common.CommandFailedException;
import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The proxier's command sequence, through a recording {@link CommandRunner}. */
class IptablesProxierTest {

    /** Records argv and stdin; answers with {@code reply}. */
    static final class Recorder implements CommandRunner {
        final List<List<String>> argvs = new ArrayList<>();
        final List<String> stdins = new ArrayList<>();
        Function<List<String>, CommandResult> reply = argv -> new CommandResult(argv, 0, "", "");

        @Override
        public CommandResult run(List<String> argv, String stdin, Duration timeout) {
            argvs.add(argv);
            stdins.add(stdin);
            return reply.apply(argv);
        }

        long count(String... prefix) {
            return argvs.stream().filter(a -> a.size() >= prefix.length && a.subList(0, prefix.length).equals(List.of(prefix))).count();
        }
    }

    @Test
    void firstSyncInstallsJumpsThenOneRestorePerSync() {
        Recorder rec = new Recorder();
        // -C says "missing" on the first sync, so each jump is inserted once.
        rec.reply = argv -> new CommandResult(argv, argv.contains("-C") ? 1 : 0, "", "");
        IptablesProxier proxier = new IptablesProxier(rec, List.of("ip", "netns", "exec", "ns1"), IptablesBackend.NFT,
                ProxyConfig.defaults());
        proxier.sync(ProxySnapshot.EMPTY, NodeInfo.named("n"));
        assertThat(rec.count("ip", "netns", "exec", "ns1", "iptables-nft", "-w", "5", "-t", "nat", "-I", "PREROUTING"))
                .isEqualTo(1);
        assertThat(rec.argvs).contains(List.of("ip", "netns", "exec", "ns1", "iptables-nft", "-w", "5", "-t", "nat", "-I",
                "POSTROUTING", "-m", "comment", "--comment", "kubernetes postrouting rules", "-j", "KUBE-POSTROUTING"));
        assertThat(rec.argvs).contains(List.of("ip", "netns", "exec", "ns1", "iptables-nft", "-w", "5", "-t", "filter", "-I",
                "FORWARD", "-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes service portals",
                "-j", "KUBE-SERVICES"));
        assertThat(rec.count("ip", "netns", "exec", "ns1", "iptables-nft-restore", "-w", "5", "--noflush", "--counters"))
                .isEqualTo(1);

        rec.argvs.clear();
        proxier.sync(ProxySnapshot.EMPTY, NodeInfo.named("n"));
        assertThat(rec.argvs).as("second sync: save (flush check + stale chains), canary check, restore").extracting(a -> a.get(4))
                .containsExactly("iptables-nft-save", "iptables-nft", "iptables-nft-restore");
    }

    @Test
    void aHandFlushOfTheNatTableMakesTheNextPeriodicSyncAFullOne() {
        Recorder rec = new Recorder();
        IptablesProxier proxier = new IptablesProxier(rec, List.of(), IptablesBackend.DEFAULT, ProxyConfig.defaults());
        proxier.sync(twoServices("10.244.1.2"), NodeInfo.named("n"));
        long fullSyncs = proxier.fullSyncs();
        // "iptables -t nat -F": chains (and the canary) stay, every rule — the PREROUTING jump too — is gone.
        rec.reply = argv -> argv.get(0).endsWith("-save")
                ? new CommandResult(argv, 0, "*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\nCOMMIT\n", "")
                : new CommandResult(argv, argv.contains("-C") ? 1 : 0, "", "");
        proxier.sync(twoServices("10.244.1.2"), NodeInfo.named("n"));
        assertThat(proxier.fullSyncs()).isEqualTo(fullSyncs + 1);
        assertThat(rec.argvs).anyMatch(a -> a.contains("-I") && a.contains("PREROUTING"));
    }

    @Test
    void staleServiceChainsAreDeletedInTheSameRestore() {
        Recorder rec = new Recorder();
        rec.reply = argv -> argv.get(0).endsWith("-save")
                ? new CommandResult(argv, 0, "*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]\n"
                        + ":KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]\n:DOCKER - [0:0]\nCOMMIT\n", "")
                : new CommandResult(argv, 0, "", "");
        new IptablesProxier(rec, List.of(), IptablesBackend.DEFAULT, ProxyConfig.defaults())
                .sync(ProxySnapshot.EMPTY, NodeInfo.named("n"));
        String input = rec.stdins.get(rec.argvs.indexOf(List.of("iptables-restore", "-w", "5", "--noflush", "--counters")));
        assertThat(input).contains("-X KUBE-SVC-AAAAAAAAAAAAAAAA\n", "-X KUBE-SEP-BBBBBBBBBBBBBBBB\n").doesNotContain("DOCKER");
    }

    @Test
    void failedRestoreThrowsAndForcesAFullSyncNextTime() {
        Recorder rec = new Recorder();
        rec.reply = argv -> new CommandResult(argv, argv.get(0).endsWith("-restore") ? 2 : 0, "", "line 7 failed");
        IptablesProxier proxier = new IptablesProxier(rec, List.of(), IptablesBackend.LEGACY, ProxyConfig.defaults());
        assertThatThrownBy(() -> proxier.sync(ProxySnapshot.EMPTY, NodeInfo.named("n")))
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("line 7 failed");
        rec.argvs.clear();
        rec.reply = argv -> new CommandResult(argv, 0, "", "");
        proxier.sync(ProxySnapshot.EMPTY, NodeInfo.named("n"));
        assertThat(rec.count("iptables-legacy", "-w", "5", "-t", "nat", "-C")).isEqualTo(3);
    }

    private static final dev.junction.proxy.ServicePortName A =
            new dev.junction.proxy.ServicePortName("ns", "a", "p", dev.junction.proxy.Protocol.TCP);
    private static final dev.junction.proxy.ServicePortName B =
            new dev.junction.proxy.ServicePortName("ns", "b", "p", dev.junction.proxy.Protocol.UDP);

    private static ProxySnapshot twoServices(String bEndpoint) {
        return new ProxySnapshot(
                dev.junction.proxy.ServicePortMap.of(java.util.Map.of(
                        A, dev.junction.proxy.ServicePortInfo.clusterIP("10.96.0.1", 80, dev.junction.proxy.Protocol.TCP),
                        B, dev.junction.proxy.ServicePortInfo.clusterIP("10.96.0.2", 53, dev.junction.proxy.Protocol.UDP))),
                dev.junction.proxy.EndpointsMap.of(java.util.Map.of(
                        A, List.of(dev.junction.proxy.EndpointInfo.ready("10.244.1.1", 80)),
                        B, List.of(dev.junction.proxy.EndpointInfo.ready(bEndpoint, 53)))));
    }

    @Test
    void partialSyncRewritesOnlyChangedServicesAndCleansUdpConntrack() {
        Recorder rec = new Recorder();
        IptablesProxier proxier = new IptablesProxier(rec, List.of(), IptablesBackend.DEFAULT, ProxyConfig.defaults());
        syncAndSaveBack(rec, proxier, twoServices("10.244.1.2"));
        String svcA = IptablesChains.servicePortPolicyClusterChain(A);
        String svcB = IptablesChains.servicePortPolicyClusterChain(B);
        String oldSep = IptablesChains.servicePortEndpointChain(B, dev.junction.proxy.EndpointInfo.ready("10.244.1.2", 53));

        proxier.sync(twoServices("10.244.1.3"), NodeInfo.named("n"));
        String input = restoreInput(rec);
        assertThat(input).contains(":" + svcB + " - [0:0]", "-X " + oldSep)
                .doesNotContain(":" + svcA + " - [0:0]")
                .as("top-level chains are always complete").contains("-d 10.96.0.1 --dport 80 -j " + svcA);
        assertThat(proxier.fullSyncs()).isEqualTo(1);
        assertThat(proxier.partialSyncs()).isEqualTo(1);
        assertThat(rec.argvs).contains(List.of("conntrack", "-D", "--orig-dst", "10.96.0.2", "--dst-nat", "10.244.1.2", "-p", "udp"));
    }

    @Test
    void partialSyncRewritesThePortsTheChangeTrackersNamed() {
        Recorder rec = new Recorder();
        IptablesProxier proxier = new IptablesProxier(rec, List.of(), IptablesBackend.DEFAULT, ProxyConfig.defaults());
        ProxySnapshot first = twoServices("10.244.1.2");
        syncAndSaveBack(rec, proxier, first);
        // built from the applied snapshot by the change trackers, which saw both Services change
        // (A's change reverted before the sync): their account is used, not a comparison of every port
        ProxySnapshot after = twoServices("10.244.1.3");
        proxier.sync(ProxySnapshot.changedFrom(first, after.services(), after.endpoints(), java.util.Set.of(A, B)), NodeInfo.named("n"));
        assertThat(restoreInput(rec)).contains(":" + IptablesChains.servicePortPolicyClusterChain(A) + " - [0:0]",
                ":" + IptablesChains.servicePortPolicyClusterChain(B) + " - [0:0]");
        assertThat(proxier.partialSyncs()).isEqualTo(1);
    }

    /** Syncs {@code snapshot}, then makes iptables-save list what that sync created and forgets the commands run. */
    private static void syncAndSaveBack(Recorder rec, IptablesProxier proxier, ProxySnapshot snapshot) {
        proxier.sync(snapshot, NodeInfo.named("n"));
        String firstInput = restoreInput(rec);
        rec.reply = argv -> argv.get(0).endsWith("-save")
                ? new CommandResult(argv, 0, "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"
                        + firstInput.substring(firstInput.indexOf("*nat")), "")
                : new CommandResult(argv, 0, "", "");
        rec.argvs.clear();
        rec.stdins.clear();
    }

    private static String restoreInput(Recorder rec) {
        return rec.stdins.get(rec.argvs.indexOf(List.of("iptables-restore", "-w", "5", "--noflush", "--counters")));
    }

    @Test
    void missingCanaryForcesAFullSync() {
        Recorder rec = new Recorder();
        IptablesProxier proxier = new IptablesProxier(rec, List.of(), IptablesBackend.DEFAULT, ProxyConfig.defaults());
        proxier.sync(ProxySnapshot.EMPTY, NodeInfo.named("n"));
        assertThat(rec.argvs).contains(List.of("iptables", "-w", "5", "-t", "mangle", "-N", IptablesProxier.CANARY));
        // Someone ran "iptables -t mangle -F; iptables -t mangle -X": the canary check fails.
        rec.reply = argv -> new CommandResult(argv, argv.contains(IptablesProxier.CANARY) && argv.contains("-S") ? 1 : 0, "", "");
        rec.argvs.clear();
        proxier.sync(ProxySnapshot.EMPTY, NodeInfo.named("n"));
        assertThat(proxier.fullSyncs()).isEqualTo(2);
        assertThat(rec.count("iptables", "-w", "5", "-t", "nat", "-C")).isEqualTo(3);
        assertThat(rec.argvs).contains(List.of("iptables", "-w", "5", "-t", "mangle", "-N", IptablesProxier.CANARY));
    }
}
