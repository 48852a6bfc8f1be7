package dev.junction.bench.proxy;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsChangeTracker;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortName;
import dev.junction.proxy.nftables.NftablesProxier;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two builds of proxy-nftables side by side in ONE JVM (root): each in its own class loader (its own
 * copy of proxy-core and proxy-nftables) with its own {@code jnt-ab-*} namespace holding the same
 * S Services × 10 endpoints table, then interleaved, rep by rep (which build goes first alternates):
 * one endpoint change every rep, an unchanged (periodic) sync every 4th rep, and every 10th rep a
 * burst of B new Services added then removed. Prints per-step wall times (sync start to last ack /
 * {@code nft} exit), failed or full syncs (excluded from the percentiles), p50/p99/max per build.
 * <p>Usage: {@code SyncAbBench S REPS BURST BEFORE_JAR AFTER_JAR} with the class path of the bench
 * (the proxy-nftables jar on it is replaced by each of the two jars).
 */
public final class SyncAbBench {
    private SyncAbBench() {
    }

    public static void main(String[] args) throws Exception {
        int services = Integer.parseInt(args[0]);
        int reps = Integer.parseInt(args[1]);
        int burst = Integer.parseInt(args[2]);
        List<String> labels = List.of("before", "after");
        List<Object> sides = new ArrayList<>();
        List<Class<?>> types = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ClassLoader loader = loader(Path.of(args[3 + i]));
            Class<?> type = loader.loadClass(Side.class.getName());
            long t0 = System.nanoTime();
            sides.add(type.getConstructor(int.class, String.class).newInstance(services, "jnt-ab-" + labels.get(i)));
            types.add(type);
            System.out.printf("%s: full sync %d x 10 (nft -f) %.1f s%n", labels.get(i), services, (System.nanoTime() - t0) / 1e9);
        }
        Map<String, List<Double>> results = new LinkedHashMap<>();
        Map<String, Integer> failures = new LinkedHashMap<>();
        try {
            for (int rep = 1; rep <= reps; rep++) {
                List<String> steps = new ArrayList<>(List.of("oneEndpoint"));
                if (rep % 4 == 0) {
                    steps.add("unchanged");
                }
                if (burst > 0 && rep % 10 == 0) {
                    steps.add("burstAdd");
                    steps.add("burstRemove");
                }
                for (String step : steps) {
                    for (int i = 0; i < 2; i++) {
                        int side = rep % 2 == 0 ? 1 - i : i; // alternate which build goes first
                        String key = labels.get(side) + " " + step;
                        String outcome = (String) call(types.get(side), sides.get(side), "step", step, burst);
                        String[] parts = outcome.split(" ", 2);
                        double ms = Double.parseDouble(parts[0]);
                        if (parts[1].startsWith("ok")) {
                            results.computeIfAbsent(key, k -> new ArrayList<>()).add(ms);
                        } else {
                            failures.merge(key, 1, Integer::sum);
                        }
                        System.out.printf("rep %2d %-6s %-11s %9.1f ms %s  %s%n", rep, labels.get(side), step, ms, parts[1],
                                call(types.get(side), sides.get(side), "timings", "", 0));
                    }
                }
            }
            if (!failures.isEmpty()) {
                System.out.println("failed or not incremental (excluded from the percentiles): " + failures);
            }
            System.out.println("build  step         n   p50 / p99 / max (ms)");
            results.forEach((k, v) -> System.out.printf("%-19s %3d   %s%n", k, v.size(), IncrementalProfile.stats(v)));
            for (String step : List.of("oneEndpoint", "unchanged", "burstAdd", "burstRemove")) {
                List<Double> a = results.get("before " + step);
                List<Double> b = results.get("after " + step);
                if (a != null && b != null) {
                    System.out.printf("ratio after/before %-11s p50 %.3f  p99 %.3f%n", step,
                            IncrementalProfile.pct(b, 50) / IncrementalProfile.pct(a, 50), IncrementalProfile.pct(b, 99) / IncrementalProfile.pct(a, 99));
                }
            }
        } finally {
            for (int i = 0; i < 2; i++) {
                call(types.get(i), sides.get(i), "close", "", 0);
            }
        }
    }

    private static Object call(Class<?> type, Object side, String method, String step, int arg) throws Exception {
        if (method.equals("step")) {
            return type.getMethod(method, String.class, int.class).invoke(side, step, arg);
        }
        return type.getMethod(method, int.class).invoke(side, arg);
    }

    /** The bench class path with the proxy-nftables jar replaced by {@code nftablesJar}; parent: the platform loader. */
    private static ClassLoader loader(Path nftablesJar) throws Exception {
        List<URL> urls = new ArrayList<>();
        urls.add(nftablesJar.toUri().toURL());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("junction-proxy-nftables") && Files.exists(Path.of(entry))) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /**
     * One build's proxier on its own namespace; loaded once per class loader. Uses only the proxier
     * API both builds have. Each step returns the wall time of {@code sync} in milliseconds.
     */
    public static final class Side {
        private final CommandRunner run = CommandRunner.system();
        private final String ns;
        private final NftablesProxier proxier;
        private final NodeInfo node = NodeInfo.named("bench");
        private final int services;
        private final ProxySnapshot base;
        private ProxySnapshot current;
        private int generation;
        private long lastCoreNanos;

        public Side(int services, String ns) {
            this.services = services;
            this.ns = ns;
            run.run("ip", "netns", "del", ns);
            run.check("ip", "netns", "add", ns);
            proxier = new NftablesProxier(run, List.of("ip", "netns", "exec", ns), ProxyConfig.defaults().withMode("nftables"),
                    List.of("10.96.0.0/12"));
            base = Snapshots.cluster(services, 10, 0);
            current = base;
            proxier.sync(current, node);
        }

        /**
         * One endpoint of the first Service replaced, the new snapshot built as proxy-core's
         * {@code ProxyController} builds it ({@code EndpointsMap.apply} of the tracker's change).
         */
        public double oneEndpoint(int ignored) {
            ServicePortName first = base.services().ports().firstKey();
            List<EndpointInfo> before = current.endpoints().get(first);
            List<EndpointInfo> after = new ArrayList<>(base.endpoints().get(first));
            after.set(0, EndpointInfo.ready("10.250." + (++generation >> 8 & 0xff) + "." + (generation & 0xff), 8080));
            after.sort(null);
            long s = System.nanoTime();
            EndpointsMap endpoints = current.endpoints().apply(Map.of(first.service(),
                    new EndpointsChangeTracker.Change(Map.of(first, before), Map.of(first, after))));
            current = new ProxySnapshot(current.services(), endpoints);
            lastCoreNanos = System.nanoTime() - s;
            return timedSync(current);
        }

        /** The periodic sync with nothing to change (the intact-table check). */
        public double unchanged(int ignored) {
            return timedSync(current);
        }

        /** {@code count} new Services in one sync. */
        public double burstAdd(int count) {
            ProxySnapshot bigger = Snapshots.cluster(services + count, 10, 0);
            ServicePortName first = base.services().ports().firstKey();
            EndpointsMap endpoints = bigger.endpoints().apply(Map.of(first.service(),
                    new EndpointsChangeTracker.Change(Map.of(), Map.of(first, current.endpoints().get(first)))));
            current = new ProxySnapshot(bigger.services(), endpoints);
            return timedSync(current);
        }

        /** The burst's Services removed again in one sync. */
        public double burstRemove(int count) {
            ServicePortName first = base.services().ports().firstKey();
            EndpointsMap endpoints = base.endpoints().apply(Map.of(first.service(),
                    new EndpointsChangeTracker.Change(Map.of(), Map.of(first, current.endpoints().get(first)))));
            current = new ProxySnapshot(base.services(), endpoints);
            return timedSync(current);
        }

        /** proxy-core's snapshot step of the last one-endpoint change, and the new build's phase split of the last sync (ms). */
        public String timings(int ignored) {
            StringBuilder out = new StringBuilder(String.format("core-snapshot %.2f", lastCoreNanos / 1e6));
            try {
                Object t = proxier.getClass().getMethod("lastTimings").invoke(proxier);
                for (String part : List.of("render", "diff", "check", "encode", "apply", "conntrack")) {
                    long nanos = (long) t.getClass().getMethod(part + "Nanos").invoke(t);
                    out.append(String.format(" %s %.2f", part, nanos / 1e6));
                }
            } catch (ReflectiveOperationException e) {
                // the before build has no phase split
            }
            return out.toString();
        }

        /**
         * Runs one step by name; returns "MS ok", "MS full" (the sync was a full one, e.g. after a
         * failure) or "MS failed: …" (the sync threw; the proxier's next sync is then a full one).
         */
        public String step(String name, int burst) {
            long fullBefore = proxier.fullSyncs();
            long s = System.nanoTime();
            try {
                double ms = switch (name) {
                    case "oneEndpoint" -> oneEndpoint(0);
                    case "unchanged" -> unchanged(0);
                    case "burstAdd" -> burstAdd(burst);
                    case "burstRemove" -> burstRemove(burst);
                    default -> throw new IllegalArgumentException(name);
                };
                return ms + (proxier.fullSyncs() != fullBefore ? " full" : " ok");
            } catch (RuntimeException e) {
                return (System.nanoTime() - s) / 1e6 + " failed: " + e.getMessage();
            }
        }

        public double close(int ignored) {
            run.run("ip", "netns", "del", ns);
            return 0;
        }

        private double timedSync(ProxySnapshot snapshot) {
            long s = System.nanoTime();
            proxier.sync(snapshot, node);
            return (System.nanoTime() - s) / 1e6;
        }
    }
}
