package dev.junction.bench.proxy;

import dev.junction.common.CommandRunner;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.iptables.IptablesBackend;
import dev.junction.proxy.iptables.IptablesProxier;
import dev.junction.proxy.nftables.NftablesProxier;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Programs S Services × E endpoints into fresh network namespaces named {@code jnt-bench-…} (root
 * only; nothing in the root namespace is touched; every namespace is deleted at the end) and
 * prints, per mode: the proxier's full sync (render + iptables-save + one iptables-restore, or
 * render + one nft -f), the raw tool on the very same text in another fresh namespace, their
 * ratio, and for nftables one endpoint change among S Services (incremental transaction).
 * nftables runs {@code rounds} interleaved rounds; with {@code rawNft} (the {@code nft-full.nft} of
 * {@code ../shared/bench/gen-kube-rules.py S E DIR}) each round also times the raw tool on that file.
 * Usage: {@code ApplyBench S [E] [modes="iptables nftables"] [rounds=1] [rawNft]}.
 */
public final class ApplyBench {
    private static final CommandRunner RUN = CommandRunner.system();

    private ApplyBench() {
    }

    public static void main(String[] args) {
        int services = Integer.parseInt(args[0]);
        int endpoints = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String modes = args.length > 2 ? args[2] : "iptables nftables";
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        String rawNft = args.length > 4 ? args[4] : null;
        ProxySnapshot snapshot = Snapshots.cluster(services, endpoints, 0);
        NodeInfo node = NodeInfo.named("bench");
        if (modes.contains("iptables")) {
            String a = netns();
            String b = netns();
            try {
                IptablesProxier proxier = new IptablesProxier(RUN, List.of("ip", "netns", "exec", a), IptablesBackend.DEFAULT,
                        ProxyConfig.defaults());
                long t0 = System.nanoTime();
                proxier.sync(snapshot, node);
                long full = System.nanoTime() - t0;
                // The raw tool: same restore input into a namespace that has the same base chains.
                new IptablesProxier(RUN, List.of("ip", "netns", "exec", b), IptablesBackend.DEFAULT, ProxyConfig.defaults())
                        .sync(ProxySnapshot.EMPTY, node);
                long t1 = System.nanoTime();
                RUN.run(List.of("ip", "netns", "exec", b, "iptables-restore", "-w", "5", "--noflush", "--counters"),
                        proxier.lastRestoreInput(), java.time.Duration.ofMinutes(10)).orThrow();
                long raw = System.nanoTime() - t1;
                long t2 = System.nanoTime();
                proxier.sync(Snapshots.withOneEndpointChanged(snapshot, 1), node);
                long partial = System.nanoTime() - t2;
                System.out.printf("RESULT apply mode=iptables services=%d endpoints=%d full_sync_s=%.3f raw_restore_s=%.3f ratio=%.2f"
                        + " one_endpoint_partial_sync_s=%.3f%n", services, endpoints, full / 1e9, raw / 1e9, (double) full / raw,
                        partial / 1e9);
            } finally {
                delete(a);
                delete(b);
            }
        }
        if (modes.contains("nftables")) {
            for (int round = 1; round <= rounds; round++) {
                nftablesRound(snapshot, node, services, endpoints, round, rawNft, round == rounds);
            }
        }
    }

    /**
     * One interleaved round: the proxier's full sync (render + one {@code nft -f -}), then the raw
     * tool on the very same text, then (when given) the raw tool on gen-kube-rules.py's file of
     * the same size, each into a fresh namespace; with {@code incremental}, five one-endpoint syncs.
     */
    private static void nftablesRound(ProxySnapshot snapshot, NodeInfo node, int services, int endpoints, int round,
            String rawNft, boolean incremental) {
        String a = netns();
        String b = netns();
        String c = rawNft == null ? null : netns();
        try {
            long[] nftNanos = new long[1];
            CommandRunner timed = (argv, stdin, timeout) -> {
                long start = System.nanoTime();
                try {
                    return RUN.run(argv, stdin, timeout);
                } finally {
                    nftNanos[0] += System.nanoTime() - start;
                }
            };
            NftablesProxier proxier = new NftablesProxier(timed, List.of("ip", "netns", "exec", a),
                    ProxyConfig.defaults().withMode("nftables"), List.of("10.96.0.0/12"));
            long t0 = System.nanoTime();
            proxier.sync(snapshot, node);
            long full = System.nanoTime() - t0;
            long inSync = nftNanos[0];
            long t1 = System.nanoTime();
            RUN.run(List.of("ip", "netns", "exec", b, "nft", "-f", "-"), proxier.lastTransaction(),
                    java.time.Duration.ofMinutes(10)).orThrow();
            long raw = System.nanoTime() - t1;
            long gen = 0;
            if (c != null) {
                long t2 = System.nanoTime();
                RUN.run(List.of("ip", "netns", "exec", c, "nft", "-f", rawNft), "", java.time.Duration.ofMinutes(10)).orThrow();
                gen = System.nanoTime() - t2;
            }
            System.out.printf("RESULT apply mode=nftables round=%d services=%d endpoints=%d full_sync_s=%.3f (jvm_s=%.3f nft_s=%.3f)"
                    + " raw_nft_same_text_s=%.3f ratio_same_text=%.2f raw_nft_gen_kube_rules_s=%s ratio_gen=%s (transaction %d bytes)%n",
                    round, services, endpoints, full / 1e9, (full - inSync) / 1e9, inSync / 1e9, raw / 1e9, (double) full / raw, c == null ? "NA" : String.format("%.3f", gen / 1e9),
                    c == null ? "NA" : String.format("%.2f", (double) full / gen), proxier.lastTransaction().length());
            if (incremental) {
                long best = Long.MAX_VALUE;
                for (int generation = 1; generation <= 5; generation++) {
                    long t2 = System.nanoTime();
                    proxier.sync(Snapshots.withOneEndpointChanged(snapshot, generation), node);
                    best = Math.min(best, System.nanoTime() - t2);
                }
                System.out.printf("RESULT apply mode=nftables services=%d endpoints=%d one_endpoint_sync_best_of_5_s=%.3f"
                        + " (transaction %d bytes)%n", services, endpoints, best / 1e9, proxier.lastTransaction().length());
            }
        } finally {
            delete(a);
            delete(b);
            if (c != null) {
                delete(c);
            }
        }
    }

    private static String netns() {
        String name = "jnt-bench-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        RUN.check("ip", "netns", "add", name);
        return name;
    }

    private static void delete(String name) {
        RUN.run("ip", "netns", "del", name);
    }
}
