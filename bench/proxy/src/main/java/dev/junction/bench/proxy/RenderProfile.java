package dev.junction.bench.proxy;

import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.iptables.IptablesRenderBuffers;
import dev.junction.proxy.iptables.IptablesRenderer;
import dev.junction.proxy.iptables.IptablesRules;
import dev.junction.proxy.nftables.NftTextBuffers;
import dev.junction.proxy.nftables.NftablesRenderer;
import dev.junction.proxy.nftables.NftablesRules;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Set;

/**
 * Quick wall-clock vs thread-CPU split of full renders (not a benchmark; use {@link RenderBenchmark}
 * for figures): {@code RenderProfile [services=10000] [rounds=8] [modes=iptables,nftables]}, each
 * mode's rounds in turn (one output alive at a time, so that it runs in the proxy's
 * {@code -Xmx256m}). Wall minus CPU is time the thread waited: GC pauses and other processes.
 */
public final class RenderProfile {
    private RenderProfile() {
    }

    public static void main(String[] args) {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        List<String> modes = List.of((args.length > 2 ? args[2] : "iptables,nftables").split(","));
        ProxySnapshot snapshot = Snapshots.cluster(services, 10, 0);
        ProxyConfig config = ProxyConfig.defaults();
        NodeInfo node = NodeInfo.named("bench");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        IptablesRenderBuffers buffers = new IptablesRenderBuffers();
        NftTextBuffers nftBuffers = new NftTextBuffers();
        for (String mode : modes) {
            for (int round = 0; round < rounds; round++) {
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                long bytes;
                if (mode.equals("iptables")) {
                    IptablesRules rules = IptablesRenderer.render(snapshot, config, node, name -> true, buffers);
                    bytes = rules.restoreInputBytes(Set.of()).length;
                } else {
                    NftablesRules nft = NftablesRenderer.render(snapshot, config.withMode("nftables"), node,
                            List.of("10.96.0.0/12"));
                    bytes = nft.dumpBytes(nftBuffers).length;
                }
                long t1 = System.nanoTime();
                long c1 = mx.getCurrentThreadCpuTime();
                System.out.printf("%s render+text %d ms wall, %d ms cpu (%d MB)%n", mode, (t1 - t0) / 1_000_000,
                        (c1 - c0) / 1_000_000, bytes >> 20);
            }
        }
    }
}
