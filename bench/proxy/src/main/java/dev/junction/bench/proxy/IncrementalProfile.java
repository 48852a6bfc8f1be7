package dev.junction.bench.proxy;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.nftables.NftElement;
import dev.junction.proxy.nftables.NftOp;
import dev.junction.proxy.nftables.NftablesChains;
import dev.junction.proxy.nftables.NftablesProxier;
import dev.junction.proxy.nftables.netlink.NftBatch;
import dev.junction.proxy.nftables.netlink.NftBatchEncoder;
import dev.junction.proxy.nftables.netlink.NftBatchRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Profiles nftables one-endpoint syncs.
 * <ul>
 *   <li>{@code IncrementalProfile S OUTDIR}: the JVM part (cached render + diff, with a runner that
 *       only records); writes the full and incremental transactions to files so that {@code nft -f}
 *       can be timed alone.</li>
 *   <li>{@code IncrementalProfile S apply [REPS]} (root): in a fresh {@code jnt-nlbench} namespace,
 *       one full sync of S Services × 10 endpoints, then REPS (default 20) one-endpoint changes
 *       through the netlink fast path interleaved with REPS through {@code nft -f}, same proxier,
 *       same table. Prints per-change wall time from "sync starts" to "last netlink ack" (or
 *       {@code nft} exit) with the proxier's phase split ({@code NftablesProxier.lastTimings()}),
 *       and p50/p99/max per path.</li>
 * </ul>
 */
public final class IncrementalProfile {
    private IncrementalProfile() {
    }

    public static void main(String[] args) throws Exception {
        int services = Integer.parseInt(args[0]);
        if (args[1].equals("apply")) {
            apply(services, args.length > 2 ? Integer.parseInt(args[2]) : 20);
            return;
        }
        Path out = Path.of(args[1]);
        StringBuilder last = new StringBuilder();
        NftablesProxier proxier = new NftablesProxier((argv, stdin, timeout) -> {
            last.setLength(0);
            last.append(stdin);
            return new CommandResult(argv, 0, "mark set mark or 0x4000", "");
        }, List.of(), ProxyConfig.defaults().withMode("nftables"), List.of("10.96.0.0/12"));
        NodeInfo node = NodeInfo.named("bench");
        var snapshot0 = Snapshots.cluster(services, 10, 0);
        for (int round = 1; round <= 3; round++) {
            // A fresh proxier each round: its first sync is a full one (render + whole transaction).
            NftablesProxier fresh = new NftablesProxier((argv, stdin, timeout) -> new CommandResult(argv, 0, "", ""),
                    List.of(), ProxyConfig.defaults().withMode("nftables"), List.of("10.96.0.0/12"));
            long t0 = System.nanoTime();
            fresh.sync(snapshot0, node);
            System.out.printf("jvm full sync (render+transaction text) round %d: %.1f ms, %d bytes%n", round,
                    (System.nanoTime() - t0) / 1e6, fresh.lastTransaction().length());
        }
        proxier.sync(snapshot0, node);
        Files.writeString(out.resolve("full.nft"), last);
        for (int generation = 1; generation <= 6; generation++) {
            var snapshot = Snapshots.withOneEndpointChanged(snapshot0, generation);
            long t0 = System.nanoTime();
            proxier.sync(snapshot, node);
            System.out.printf("jvm incremental sync (render+diff) %.1f ms, %d bytes%n", (System.nanoTime() - t0) / 1e6, last.length());
            Files.writeString(out.resolve("one-" + generation + ".nft"), last);
        }
    }

    private static void apply(int services, int reps) throws Exception {
        CommandRunner run = CommandRunner.system();
        String ns = "jnt-nlbench";
        run.run("ip", "netns", "del", ns);
        run.check("ip", "netns", "add", ns);
        try {
            NftablesProxier proxier = new NftablesProxier(run, List.of("ip", "netns", "exec", ns),
                    ProxyConfig.defaults().withMode("nftables"), List.of("10.96.0.0/12"));
            NodeInfo node = NodeInfo.named("bench");
            ProxySnapshot snapshot0 = Snapshots.cluster(services, 10, 0);
            long t0 = System.nanoTime();
            proxier.sync(snapshot0, node);
            System.out.printf("full sync (nft -f) %d x 10: %.1f s%n", services, (System.nanoTime() - t0) / 1e9);
            List<Double> viaNetlink = new ArrayList<>();
            List<Double> viaNft = new ArrayList<>();
            List<Double> netlinkApply = new ArrayList<>();
            int generation = 0;
            for (int rep = 0; rep < reps; rep++) {
                for (boolean netlink : new boolean[] {true, false}) {
                    proxier.setNetlinkEnabled(netlink);
                    ProxySnapshot next = Snapshots.withOneEndpointChanged(snapshot0, ++generation);
                    long before = proxier.netlinkSyncs();
                    long s = System.nanoTime();
                    proxier.sync(next, node);
                    double ms = (System.nanoTime() - s) / 1e6;
                    if (netlink && proxier.netlinkSyncs() != before + 1) {
                        throw new IllegalStateException("sync did not go through netlink");
                    }
                    (netlink ? viaNetlink : viaNft).add(ms);
                    if (netlink) {
                        netlinkApply.add(proxier.lastApplyNanos() / 1e6);
                    }
                    var t = proxier.lastTimings();
                    System.out.printf("rep %2d %-7s %8.1f ms (render %.2f, diff %.2f, encode %.2f, apply %.1f, conntrack %.2f ms)%n",
                            rep + 1, netlink ? "netlink" : "nft", ms, t.renderNanos() / 1e6, t.diffNanos() / 1e6,
                            t.encodeNanos() / 1e6, t.applyNanos() / 1e6, t.conntrackNanos() / 1e6);
                }
            }
            if (proxier.fullSyncs() != 1) {
                throw new IllegalStateException("unexpected full syncs: " + proxier.fullSyncs());
            }
            System.out.println("path     whole sync p50 / p99 / max (ms)");
            System.out.println("netlink  " + stats(viaNetlink) + "   (apply step only: " + stats(netlinkApply) + ")");
            System.out.println("nft -f   " + stats(viaNft));
            System.out.printf("ratio of p50 nft/netlink: %.1f%n", pct(viaNft, 50) / pct(viaNetlink, 50));
            probes(ns, snapshot0);
        } finally {
            run.run("ip", "netns", "del", ns);
        }
    }

    /**
     * Kernel cost of the smallest batches on the same table, netlink only: an element without a
     * verdict ({@code cluster-ips}) against one with a {@code goto} verdict ({@code service-ips}),
     * which makes nf_tables validate the table's jump graph at commit.
     */
    private static void probes(String ns, ProxySnapshot snapshot0) {
        NftBatchRunner runner = new NftBatchRunner(Optional.of(Path.of("/var/run/netns", ns)), 10_000);
        String chain = NftablesChains.serviceChain(snapshot0.services().ports().firstKey());
        NftElement plain = NftElement.of("cluster-ips", "10.99.0.1");
        NftElement verdict = NftElement.mapping("service-ips", "goto " + chain, "10.99.0.1", "tcp", "81");
        for (NftElement e : List.of(plain, verdict)) {
            List<Double> add = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                for (NftOp op : List.of(new NftOp.AddElement(e), new NftOp.DeleteElement(e))) {
                    NftBatch batch = NftBatchEncoder.encode(List.of(op), NftBatchRunner.nextSeq(3)).orElseThrow();
                    long s = System.nanoTime();
                    runner.apply(batch);
                    if (op instanceof NftOp.AddElement) {
                        add.add((System.nanoTime() - s) / 1e6);
                    }
                }
            }
            System.out.println("probe: one-element batch into " + e.container() + " p50 / p99 / max (ms): " + stats(add));
        }
    }

    /** "p50 / p99 / max" of {@code values}, one decimal (also used by {@link SyncAbBench}). */
    static String stats(List<Double> values) {
        return String.format("%.1f / %.1f / %.1f", pct(values, 50), pct(values, 99), values.stream().mapToDouble(d -> d).max().orElse(0));
    }

    /** Nearest-rank percentile. */
    static double pct(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
