package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
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
import dev.junction.testing.TestNetns;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sync cost of the userspace proxier at scale (issue #4): {@code services} ClusterIP Services × 10
 * endpoints (the shape of {@code ../shared/bench/gen-kube-rules.py}), listeners on 127.0.0.1. One
 * first (full) sync, then {@code reps} one-endpoint syncs of two kinds, alternating: an endpoint
 * added to a Service that has endpoints (no rule changes) and a Service losing / regaining all its
 * endpoints (REDIRECT ↔ REJECT: one bucket rewritten), then one jump check ({@code checkJumps}).
 * Prints per kind the wall time of {@code sync()} (p50 / max, ms) and the commands run.
 *
 * <p>Usage: {@code UserspaceSyncProfile <services> <reps> fake|netns}. {@code fake}: a recording
 * {@link CommandRunner} (JVM cost only). {@code netns} (root): the real {@code iptables} in a
 * {@link TestNetns} {@code jnt-usprof…} deleted at exit; also times what the previous proxier ran on
 * every sync there — the seven {@code iptables -C} jump checks and, when any rule changed, the
 * whole ruleset's {@code iptables-restore} — so both are measured in the same namespace.
 */
public final class UserspaceSyncProfile {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private UserspaceSyncProfile() {
    }

    /** @param args services, reps, fake|netns */
    public static void main(String[] args) {
        int services = Integer.parseInt(args[0]);
        int reps = Integer.parseInt(args[1]);
        boolean real = args[2].equals("netns");
        if (real) {
            try (TestNetns ns = TestNetns.create("usprof")) {
                run(services, reps, CommandRunner.system(), List.of("ip", "netns", "exec", ns.name()));
            }
        } else {
            run(services, reps, (argv, stdin, timeout) -> new CommandResult(argv, 0, "", ""), List.of());
        }
    }

    private static void run(int services, int reps, CommandRunner system, List<String> prefix) {
        List<String> commands = new ArrayList<>();
        CommandRunner recording = (argv, stdin, timeout) -> {
            commands.add(String.join(" ", argv.subList(prefix.size(), Math.min(argv.size(), prefix.size() + 6)))
                    + " (" + stdin.length() + " B stdin)");
            return system.run(argv, stdin, timeout);
        };
        AtomicLong clock = new AtomicLong();
        Map<ServicePortName, ServicePortInfo> ports = new TreeMap<>();
        Map<ServicePortName, List<EndpointInfo>> eps = new TreeMap<>();
        for (int i = 0; i < services; i++) {
            ServicePortName name = new ServicePortName("ns" + (i % 100), "svc-" + i, "http", Protocol.TCP);
            ports.put(name, ServicePortInfo.clusterIP("10.96." + (i / 250) + "." + (i % 250 + 1), 80, Protocol.TCP));
            List<EndpointInfo> list = new ArrayList<>();
            for (int e = 0; e < 10; e++) {
                list.add(EndpointInfo.ready("10.244." + (i / 250) + "." + (i % 250 + 1), 8000 + e));
            }
            eps.put(name, List.copyOf(list));
        }
        ServicePortMap svcs = ServicePortMap.of(ports);
        List<ServicePortName> names = new ArrayList<>(ports.keySet());
        try (UserspaceProxier proxier = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250),
                Optional.of(recording), prefix, NettyTransport.select(UserspaceProxier.TRANSPORT_PROPERTY), Duration.ofSeconds(30), clock::get)) {
            long t0 = System.nanoTime();
            proxier.sync(new ProxySnapshot(svcs, EndpointsMap.of(eps)), NodeInfo.named("n"));
            System.out.printf("first sync, %d Services: %.1f ms, %d commands%n", services, ms(t0), commands.size());
            commands.clear();
            double[] add = new double[reps];
            double[] flip = new double[2 * reps];
            double[] addCpu = new double[reps];
            double[] flipCpu = new double[2 * reps];
            int addCommands = 0;
            int flipCommands = 0;
            for (int r = 0; r < reps; r++) {
                ServicePortName victim = names.get((r * 7919) % names.size());
                List<EndpointInfo> before = eps.get(victim);
                List<EndpointInfo> more = new ArrayList<>(before);
                more.add(EndpointInfo.ready("10.245.0." + (r % 250 + 1), 9000));
                eps.put(victim, List.copyOf(more));
                clock.addAndGet(Duration.ofSeconds(1).toNanos());
                ProxySnapshot snapshot = new ProxySnapshot(svcs, EndpointsMap.of(eps));
                long t = System.nanoTime();
                long cpu = THREADS.getCurrentThreadCpuTime();
                proxier.sync(snapshot, NodeInfo.named("n"));
                addCpu[r] = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6;
                add[r] = ms(t);
                addCommands += commands.size();
                commands.clear();

                for (int k = 0; k < 2; k++) {
                    eps.put(victim, k == 0 ? List.of() : before);
                    snapshot = new ProxySnapshot(svcs, EndpointsMap.of(eps));
                    t = System.nanoTime();
                    cpu = THREADS.getCurrentThreadCpuTime();
                    proxier.sync(snapshot, NodeInfo.named("n"));
                    flipCpu[2 * r + k] = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6;
                    flip[2 * r + k] = ms(t);
                    flipCommands += commands.size();
                    if (r == 0 && k == 0) {
                        System.out.println("  one Service losing its endpoints runs: " + commands);
                    }
                    commands.clear();
                }
            }
            System.out.printf("endpoint added (rules unchanged) x%d: wall p50 %.2f ms, max %.2f ms; sync thread CPU p50 %.2f ms;"
                    + " %d commands in all%n", reps, p50(add), max(add), p50(addCpu), addCommands);
            System.out.printf("endpoints 11->0->10 (REDIRECT<->REJECT) x%d: wall p50 %.2f ms, max %.2f ms; sync thread CPU"
                    + " p50 %.2f ms (JVM only; the restore runs in a child process); %d commands in all%n", 2 * reps, p50(flip),
                    max(flip), p50(flipCpu), flipCommands);
            long t = System.nanoTime();
            proxier.checkJumps();
            System.out.printf("jump check (monitor thread, not in a sync): %.1f ms, %d commands%n", ms(t), commands.size());
            commands.clear();
            if (!prefix.isEmpty()) {
                previousProxierCost(system, prefix, proxier.lastRules(), reps);
            }
        }
    }

    /** What the previous proxier ran per sync, timed in the same namespace. */
    private static void previousProxierCost(CommandRunner run, List<String> prefix, String fullRules, int reps) {
        double[] checks = new double[reps];
        double[] restores = new double[Math.max(1, reps / 4)];
        for (int r = 0; r < reps; r++) {
            long t = System.nanoTime();
            for (List<String> jump : PortalRules.JUMPS) {
                List<String> argv = new ArrayList<>(prefix);
                argv.addAll(List.of("iptables", "-w", "5", "-t", jump.get(0), "-C", jump.get(1)));
                argv.addAll(jump.subList(2, jump.size()));
                run.run(argv, "", CommandRunner.DEFAULT_TIMEOUT).orThrow();
            }
            checks[r] = ms(t);
        }
        for (int r = 0; r < restores.length; r++) {
            List<String> argv = new ArrayList<>(prefix);
            argv.addAll(List.of("iptables-restore", "-w", "5", "--noflush"));
            long t = System.nanoTime();
            run.run(argv, fullRules, Duration.ofMinutes(5)).orThrow();
            restores[r] = ms(t);
        }
        System.out.printf("previous proxier, per sync: 7 x iptables -C: p50 %.1f ms, max %.1f ms (x%d); "
                + "full iptables-restore (%d B): p50 %.1f ms, max %.1f ms (x%d)%n", p50(checks), max(checks), reps,
                fullRules.length(), p50(restores), max(restores), restores.length);
    }

    private static double ms(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    private static double p50(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
