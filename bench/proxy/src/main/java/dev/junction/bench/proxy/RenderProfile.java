package dev.junction.bench.proxy;

import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.iptables.IptablesRenderer;
import dev.junction.proxy.iptables.IptablesRules;
import dev.junction.proxy.nftables.NftablesRenderer;
import dev.junction.proxy.nftables.NftablesRules;
import java.util.List;

/** Quick wall-clock split of a render (not a benchmark; use {@link RenderBenchmark} for figures). */
public final class RenderProfile {
    private RenderProfile() {
    }

    public static void main(String[] args) {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        ProxySnapshot snapshot = Snapshots.cluster(services, 10, 0);
        ProxyConfig config = ProxyConfig.defaults();
        NodeInfo node = NodeInfo.named("bench");
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 8; round++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            IptablesRules rules = IptablesRenderer.render(snapshot, config, node);
            long t1 = System.nanoTime();
            String text = rules.restoreInput();
            long t2 = System.nanoTime();
            long cMid = mx.getCurrentThreadCpuTime();
            NftablesRules nft = NftablesRenderer.render(snapshot, config.withMode("nftables"), node, List.of("10.96.0.0/12"));
            long t3 = System.nanoTime();
            long c1 = mx.getCurrentThreadCpuTime();
            String dump = nft.dump();
            long t4 = System.nanoTime();
            long c2 = mx.getCurrentThreadCpuTime();
            System.out.printf("iptables render+text %d ms wall, %d ms cpu (%d MB); nftables render+text %d ms wall,"
                    + " %d ms cpu (%d MB)%n", (t2 - t0) / 1_000_000, (cMid - c0) / 1_000_000, text.length() >> 20,
                    (t4 - t2) / 1_000_000, (c2 - cMid) / 1_000_000, dump.length() >> 20);
            if (c1 < 0) {
                System.out.println();
            }
        }
    }
}
