package dev.junction.bench.proxy;

import dev.junction.common.CommandResult;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.nftables.NftablesProxier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Splits an nftables one-endpoint sync into its JVM part (cached render + diff, with a runner that
 * only records) and writes the full and incremental transactions to files so that {@code nft -f}
 * can be timed alone. Usage: {@code IncrementalProfile S OUTDIR}.
 */
public final class IncrementalProfile {
    private IncrementalProfile() {
    }

    public static void main(String[] args) throws Exception {
        int services = Integer.parseInt(args[0]);
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
}
