package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commands a sync runs (recorded, not executed): the first sync installs jumps and writes the
 * chains, an endpoint change touches only its own Service's rules, jump checks only on full syncs.
 */
class UserspaceProxierSyncTest {
    static final NodeInfo NODE = NodeInfo.named("n");
    static final Duration FULL = Duration.ofSeconds(30);
    /** nat PREROUTING, nat OUTPUT, filter INPUT, FORWARD, OUTPUT. */
    static final int BUILTINS = 5;

    private final Recorder rec = new Recorder();
    private final AtomicLong clock = new AtomicLong();
    private UserspaceProxier proxier;

    @BeforeEach
    void start() {
        proxier = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250), Optional.of(rec), List.of("ns"),
                NettyTransport.NIO, FULL, clock::get);
    }

    @AfterEach
    void stop() {
        proxier.close();
    }

    /**
     * Records argv and stdin; {@code iptables -S CHAIN} lists our jumps when {@link #jumpPresent},
     * else nothing; every command succeeds unless {@link #exit} says otherwise.
     */
    static final class Recorder implements CommandRunner {
        final List<List<String>> argvs = new ArrayList<>();
        final List<String> stdins = new ArrayList<>();
        boolean jumpPresent;
        Function<List<String>, Integer> exit = argv -> 0;

        @Override
        public CommandResult run(List<String> argv, String stdin, Duration timeout) {
            argvs.add(argv);
            stdins.add(stdin);
            StringBuilder out = new StringBuilder();
            int s = argv.indexOf("-S");
            if (s > 0 && jumpPresent) {
                String table = argv.get(argv.indexOf("-t") + 1);
                String chain = argv.get(s + 1);
                out.append("-P ").append(chain).append(" ACCEPT\n");
                for (List<String> jump : PortalRules.JUMPS) {
                    if (jump.get(0).equals(table) && jump.get(1).equals(chain)) {
                        out.append("-A ").append(chain).append(' ').append(String.join(" ", jump.subList(2, jump.size()))).append('\n');
                    }
                }
            }
            return new CommandResult(argv, exit.apply(argv), out.toString(), "");
        }

        long count(String flag) {
            return argvs.stream().filter(a -> a.contains(flag)).count();
        }

        List<String> restores() {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < argvs.size(); i++) {
                if (argvs.get(i).contains("iptables-restore")) {
                    out.add(stdins.get(i));
                }
            }
            return out;
        }

        void clear() {
            argvs.clear();
            stdins.clear();
        }
    }

    static ServicePortName svc(int i) {
        return new ServicePortName("default", "svc-" + i, "http", Protocol.TCP);
    }

    /** {@code services} ClusterIP Services; endpoints per Service from {@code endpoints}. */
    static ProxySnapshot snapshot(int services, Function<Integer, List<EndpointInfo>> endpoints) {
        Map<ServicePortName, ServicePortInfo> ports = new TreeMap<>();
        Map<ServicePortName, List<EndpointInfo>> eps = new TreeMap<>();
        for (int i = 0; i < services; i++) {
            ports.put(svc(i), ServicePortInfo.clusterIP("10.96.1." + i, 80, Protocol.TCP));
            eps.put(svc(i), endpoints.apply(i));
        }
        return new ProxySnapshot(ServicePortMap.of(ports), EndpointsMap.of(eps));
    }

    static List<EndpointInfo> two(int i) {
        return List.of(EndpointInfo.ready("10.244.1." + i, 8080), EndpointInfo.ready("10.244.2." + i, 8080));
    }

    @Test
    void firstSyncInstallsJumpsAndWritesEveryChain() {
        proxier.sync(snapshot(3, UserspaceProxierSyncTest::two), NODE);
        assertThat(rec.count("-S")).as("one listing per built-in chain").isEqualTo(BUILTINS);
        assertThat(rec.count("-I")).isEqualTo(PortalRules.JUMPS.size());
        assertThat(rec.restores()).hasSize(1);
        assertThat(rec.restores().get(0)).startsWith("*nat\n:KUBE-PORTALS-CONTAINER - [0:0]\n")
                .contains("default/svc-0:http", "default/svc-1:http", "default/svc-2:http")
                .isEqualTo(proxier.lastRules());
        assertThat(rec.argvs).allSatisfy(argv -> assertThat(argv.get(0)).isEqualTo("ns"));
    }

    @Test
    void endpointChangeRunsNoCommandForUnchangedServices() {
        proxier.sync(snapshot(50, UserspaceProxierSyncTest::two), NODE);
        rec.clear();

        // svc-7 gains a third endpoint: still redirected to the same listener, so no rule changes at all.
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        proxier.sync(snapshot(50, i -> i == 7
                ? List.of(EndpointInfo.ready("10.244.1.7", 8080), EndpointInfo.ready("10.244.2.7", 8080),
                        EndpointInfo.ready("10.244.3.7", 8080))
                : two(i)), NODE);
        assertThat(rec.argvs).as("endpoint-only change: no command").isEmpty();
        assertThat(proxier.balancer(svc(7)).orElseThrow().endpoints()).hasSize(3);

        // svc-7 loses every endpoint: one restore rewriting only svc-7's bucket chains, no jump check.
        String before = proxier.lastRules();
        proxier.sync(snapshot(50, i -> i == 7 ? List.of() : two(i)), NODE);
        assertThat(rec.argvs).hasSize(1);
        assertThat(rec.count("-S")).isZero();
        int bucket = PortalRules.bucket(svc(7));
        List<String> chains = List.of("KUBE-PORTALS-CONTAINER", "KUBE-PORTALS-HOST", "KUBE-NODEPORT-CONTAINER", "KUBE-NODEPORT-HOST");
        StringBuilder expected = new StringBuilder("*nat\n");
        chains.forEach(c -> expected.append(':').append(PortalRules.bucketChain(c, bucket)).append(" - [0:0]\n"));
        // The bucket's other ports keep their rules, as they were; svc-7's REDIRECTs are gone.
        before.lines().filter(l -> inBucket(l, bucket) && !l.contains("svc-7:")).forEach(l -> expected.append(l).append('\n'));
        expected.append("COMMIT\n*filter\n:").append(PortalRules.bucketChain("KUBE-PORTALS-REJECT", bucket)).append(" - [0:0]\n")
                .append("-A ").append(PortalRules.bucketChain("KUBE-PORTALS-REJECT", bucket))
                .append(" -m comment --comment \"default/svc-7:http\" -p tcp -m tcp --dport 80 -d 10.96.1.7/32 -j REJECT\nCOMMIT\n");
        assertThat(rec.restores()).containsExactly(expected.toString());
        assertThat(before.lines().filter(l -> l.startsWith("-A KUBE-PORTALS-CONTAINER-")).count())
                .as("the other 49 Services' rules are not written").isGreaterThan(
                        rec.restores().get(0).lines().filter(l -> l.startsWith("-A KUBE-PORTALS-CONTAINER-")).count() + 30);
        assertThat(proxier.lastRules()).contains("--dport 80 -d 10.96.1.7/32 -j REJECT")
                .doesNotContain("-d 10.96.1.7/32 -j REDIRECT");

        // svc-7 deleted: its filter bucket is rewritten without its REJECT, nothing else is written.
        rec.clear();
        ProxySnapshot without7 = snapshot(50, i -> i == 7 ? List.of() : two(i));
        Map<ServicePortName, ServicePortInfo> ports = new TreeMap<>(without7.services().ports());
        ports.remove(svc(7));
        proxier.sync(new ProxySnapshot(ServicePortMap.of(ports), without7.endpoints()), NODE);
        assertThat(rec.restores()).containsExactly("*filter\n:" + PortalRules.bucketChain("KUBE-PORTALS-REJECT", bucket)
                + " - [0:0]\nCOMMIT\n");
        assertThat(proxier.listenerPort(svc(7))).isEmpty();
        assertThat(proxier.partialSyncs()).isEqualTo(3);
        assertThat(proxier.fullSyncs()).isEqualTo(1);
    }

    private static boolean inBucket(String line, int bucket) {
        for (String chain : PortalRules.NAT_CHAINS) {
            if (line.startsWith("-A " + PortalRules.bucketChain(chain, bucket) + " ")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void syncsNeverListChainsAndTheJumpCheckRepairsAFlush() {
        ProxySnapshot snap = snapshot(5, UserspaceProxierSyncTest::two);
        proxier.sync(snap, NODE);
        rec.jumpPresent = true;
        rec.clear();

        clock.addAndGet(FULL.plusSeconds(1).toNanos());
        proxier.sync(snapshot(5, i -> i == 1 ? List.of() : two(i)), NODE);
        assertThat(rec.count("-S")).as("a change, even after syncPeriod: no jump check in the sync").isZero();
        assertThat(rec.restores()).hasSize(1);

        rec.clear();
        proxier.sync(snapshot(5, i -> i == 1 ? List.of() : two(i)), NODE);
        assertThat(rec.argvs).as("no change at all (the runner's periodic sync): nothing runs").isEmpty();

        assertThat(proxier.checkJumps()).as("jumps in place").isFalse();
        assertThat(rec.count("-S")).as("every built-in chain listed once").isEqualTo(BUILTINS);
        assertThat(rec.argvs).hasSize(BUILTINS);
        assertThat(proxier.jumpChecks()).isEqualTo(1);
        assertThat(proxier.lastJumpCheckNanos()).isEqualTo(clock.get());

        // Someone flushed the nat table: the PREROUTING jumps are gone; the check re-inserts them and rewrites every chain.
        rec.clear();
        rec.jumpPresent = false;
        assertThat(proxier.checkJumps()).isTrue();
        assertThat(rec.count("-I")).isEqualTo(PortalRules.JUMPS.size());
        assertThat(rec.restores()).containsExactly(proxier.lastRules());
        assertThat(proxier.fullSyncs()).isEqualTo(2);
    }

    @Test
    void jumpMonitorChecksOnItsOwnThread() throws Exception {
        try (UserspaceProxier monitored = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250),
                Optional.of(rec), List.of("ns"), NettyTransport.NIO, Duration.ofMillis(50), System::nanoTime)) {
            monitored.sync(snapshot(2, UserspaceProxierSyncTest::two), NODE);
            monitored.startJumpMonitor();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> monitored.jumpChecks() >= 2);
        }
    }

    @Test
    void failedPartialSyncRewritesTheChains() {
        proxier.sync(snapshot(5, UserspaceProxierSyncTest::two), NODE);
        rec.jumpPresent = true;
        rec.clear();
        rec.exit = argv -> argv.contains("iptables-restore") && rec.restores().size() == 1 ? 1 : 0;

        proxier.sync(snapshot(5, i -> i == 2 ? List.of() : two(i)), NODE);
        assertThat(rec.restores()).hasSize(2);
        assertThat(rec.restores().get(0)).startsWith("*nat\n:KUBE-PORTALS-CONTAINER-");
        assertThat(rec.restores().get(1)).isEqualTo(proxier.lastRules()).startsWith("*nat\n:KUBE-PORTALS-CONTAINER - [0:0]\n");
    }

    @Test
    void snapshotChangeSetLimitsTheSyncToTheChangedPorts() {
        ProxySnapshot s0 = snapshot(50, UserspaceProxierSyncTest::two);
        proxier.sync(s0, NODE);
        assertThat(proxier.lastSyncPortsExamined()).as("first sync: every port").isEqualTo(50);
        rec.clear();

        // svc-7 gains an endpoint, and the snapshot says so: one port looked at, no command.
        List<EndpointInfo> three = List.of(EndpointInfo.ready("10.244.1.7", 8080), EndpointInfo.ready("10.244.2.7", 8080),
                EndpointInfo.ready("10.244.3.7", 8080));
        ProxySnapshot s1 = ProxySnapshot.changedFrom(s0, s0.services(), snapshot(50, i -> i == 7 ? three : two(i)).endpoints(),
                Set.of(svc(7)));
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        proxier.sync(s1, NODE);
        assertThat(proxier.lastSyncPortsExamined()).isEqualTo(1);
        assertThat(proxier.balancer(svc(7)).orElseThrow().endpoints()).hasSize(3);
        assertThat(rec.argvs).isEmpty();

        // Ports outside the change set are not even looked at (svc-8's new endpoints are ignored here).
        ProxySnapshot s2 = ProxySnapshot.changedFrom(s1, s1.services(),
                snapshot(50, i -> i == 7 ? two(i) : i == 8 ? three : two(i)).endpoints(), Set.of(svc(7)));
        proxier.sync(s2, NODE);
        assertThat(proxier.lastSyncPortsExamined()).isEqualTo(1);
        assertThat(proxier.balancer(svc(7)).orElseThrow().endpoints()).hasSize(2);
        assertThat(proxier.balancer(svc(8)).orElseThrow().endpoints()).hasSize(2);

        // svc-9 deleted, named in the set: its listener closes and its bucket is rewritten.
        Map<ServicePortName, ServicePortInfo> ports = new TreeMap<>(s2.services().ports());
        ports.remove(svc(9));
        ProxySnapshot s3 = ProxySnapshot.changedFrom(s2, ServicePortMap.of(ports), s2.endpoints(), Set.of(svc(9)));
        proxier.sync(s3, NODE);
        assertThat(proxier.listenerPort(svc(9))).isEmpty();
        assertThat(rec.restores()).hasSize(1).allSatisfy(r -> assertThat(r).doesNotContain("svc-9:"));

        // A snapshot that is not the successor of the last one synced (no chain): every port is compared,
        // so svc-8's endpoints are picked up now.
        proxier.sync(new ProxySnapshot(ServicePortMap.of(s3.services().ports()), EndpointsMap.of(s3.endpoints().endpoints())), NODE);
        assertThat(proxier.lastSyncPortsExamined()).isEqualTo(49);
        assertThat(proxier.balancer(svc(8)).orElseThrow().endpoints()).hasSize(3);
    }
}
