package dev.junction.bench.proxy;

import dev.junction.common.net.NettyTransport;
import dev.junction.common.CommandResult;
import dev.junction.proxy.EndpointsChangeTracker;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServiceChangeTracker;
import dev.junction.proxy.ServiceHealthServer;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import dev.junction.proxy.userspace.Scheduler;
import dev.junction.proxy.userspace.UserspaceProxier;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * The node agent's per-change work in the lab's network-programming benchmark
 * ({@code bench/lab/netprog.sh userspace 10000 30}), without the API server and the other JVMs:
 * S selector-less Services with one 10-endpoint EndpointSlice each go through the real change
 * trackers into a snapshot and a {@link UserspaceProxier} (127.0.0.1 listeners, no REDIRECT rules:
 * an endpoint-only change runs no command anyway) plus the {@link ServiceHealthServer} that
 * {@code ProxyRuntime} syncs after it; then REPS times the one-endpoint {@code netprog} slice flips
 * between two pods, as netprog.py does, and each change is timed in this thread's CPU time
 * (load-independent) and wall time: {@code tracker} = {@code onSliceUpdate} (the informer thread's
 * share), {@code sync} = checkout + fold into the maps + snapshot + proxier sync + health sync
 * (what {@code ProxyController.syncProxyRules} runs).
 *
 * <p>Runs against whatever proxy-core / proxy-userspace are on the classpath: it uses
 * {@code ProxySnapshot.next} (the change set) when it exists, else a snapshot without change
 * information, so the same class times the previous build (A/B: run it with each build's jars).
 *
 * <p>Usage: {@code NetprogSyncProfile [services=10000] [reps=200]}.
 */
public final class NetprogSyncProfile {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private NetprogSyncProfile() {
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Optional<Method> nextMethod = Arrays.stream(ProxySnapshot.class.getMethods())
                .filter(m -> m.getName().equals("next")).findFirst();
        System.out.printf("build: %s (%s)%n", nextMethod.isPresent() ? "change sets" : "no change sets",
                ProxySnapshot.class.getProtectionDomain().getCodeSource().getLocation());

        ServiceChangeTracker serviceChanges = new ServiceChangeTracker();
        EndpointsChangeTracker endpointChanges = new EndpointsChangeTracker("node-a");
        for (int i = 0; i < services; i++) {
            serviceChanges.onAdd(service("np-" + i, "10.96." + (i / 250) + "." + (i % 250 + 1)));
            String[] ips = new String[10];
            for (int e = 0; e < 10; e++) {
                int a = i * 10 + e;
                ips[e] = "10.250." + (a / 250 % 250) + "." + (a % 250 + 1);
            }
            endpointChanges.onSliceUpdate(slice("np-" + i, ips), false);
        }
        serviceChanges.onAdd(service("netprog", "10.100.0.1"));
        endpointChanges.onSliceUpdate(slice("netprog", "10.244.1.3"), false);

        AtomicLong clock = new AtomicLong();
        NodeInfo node = NodeInfo.named("node-a");
        try (UserspaceProxier proxier = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(250), Optional.of(
                (argv, stdin, timeout) -> new CommandResult(argv, 0, "", "")), List.of(), NettyTransport.select(UserspaceProxier.TRANSPORT_PROPERTY),
                Duration.ofHours(1), clock::get);
                ServiceHealthServer health = new ServiceHealthServer("127.0.0.1", () -> true)) {
            long t0 = System.nanoTime();
            ProxySnapshot last = new ProxySnapshot(ServicePortMap.EMPTY.apply(serviceChanges.checkout()),
                    EndpointsMap.EMPTY.apply(endpointChanges.checkout()));
            proxier.sync(last, node);
            health.sync(last);
            System.out.printf("first sync: %d Services, %.0f ms%n", services + 1, (System.nanoTime() - t0) / 1e6);

            double[] trackerCpu = new double[reps];
            double[] syncCpu = new double[reps];
            double[] syncWall = new double[reps];
            for (int r = 0; r < reps + 20; r++) {
                EndpointSlice next = slice("netprog", r % 2 == 0 ? "10.244.2.3" : "10.244.1.3");
                long c0 = THREADS.getCurrentThreadCpuTime();
                endpointChanges.onSliceUpdate(next, false);
                long c1 = THREADS.getCurrentThreadCpuTime();
                long w1 = System.nanoTime();
                Map<?, ServiceChangeTracker.Change> sc = serviceChanges.checkout();
                Map<?, EndpointsChangeTracker.Change> ec = endpointChanges.checkout();
                ProxySnapshot snapshot;
                if (nextMethod.isPresent()) {
                    snapshot = (ProxySnapshot) nextMethod.get().invoke(last, sc, ec);
                } else {
                    @SuppressWarnings("unchecked")
                    ProxySnapshot full = new ProxySnapshot(last.services().apply((Map) sc), last.endpoints().apply((Map) ec));
                    snapshot = full;
                }
                last = snapshot;
                clock.addAndGet(Duration.ofSeconds(1).toNanos());
                proxier.sync(snapshot, node);
                health.sync(snapshot);
                long c2 = THREADS.getCurrentThreadCpuTime();
                long w2 = System.nanoTime();
                if (r >= 20) { // the first 20: warm-up
                    trackerCpu[r - 20] = (c1 - c0) / 1e6;
                    syncCpu[r - 20] = (c2 - c1) / 1e6;
                    syncWall[r - 20] = (w2 - w1) / 1e6;
                }
            }
            ServicePortName netprog = new ServicePortName("default", "netprog", "http", dev.junction.proxy.Protocol.TCP);
            System.out.printf("netprog endpoint now %s (balancer %s)%n", last.endpoints().get(netprog).get(0).endpoint(),
                    proxier.balancer(netprog).orElseThrow().endpoints().get(0));
            System.out.printf("RESULT per change x%d: tracker CPU p50 %.3f ms; sync CPU p50 %.3f / p90 %.3f / max %.3f ms;"
                    + " sync wall p50 %.3f / p90 %.3f ms%n", reps, pct(trackerCpu, 50), pct(syncCpu, 50), pct(syncCpu, 90),
                    pct(syncCpu, 100), pct(syncWall, 50), pct(syncWall, 90));
        }
    }

    private static Service service(String name, String clusterIP) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIP)
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort().endSpec().build();
    }

    private static EndpointSlice slice(String service, String... ips) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName(service + "-1")
                .addToLabels(EndpointsChangeTracker.SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort();
        for (String ip : ips) {
            b.addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return b.build();
    }

    private static double pct(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
    }
}
