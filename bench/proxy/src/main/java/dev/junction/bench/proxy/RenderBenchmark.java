package dev.junction.bench.proxy;

import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.ProxyConfig;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.iptables.IptablesRenderBuffers;
import dev.junction.proxy.iptables.IptablesRenderer;
import dev.junction.proxy.nftables.NftTextBuffers;
import dev.junction.proxy.nftables.NftablesRenderer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full render of S Services × 10 endpoints to the text each mode hands to its tool: for iptables
 * mode the bytes of {@code iptables-restore}'s standard input ({@code IptablesRules.restoreInputBytes}),
 * for nftables mode the bytes of the {@code dump()} text ({@code NftablesRules.dumpBytes}, the same
 * size and shape as the full {@code nft -f} transaction). Both write into text buffers kept in the
 * benchmark state from one render to the next, as {@code IptablesProxier} / {@code NftablesProxier}
 * keep them from one sync to the next (upstream's reused {@code LineBuffer}s); the returned input is
 * a new array.
 *
 * <p>The fork runs with the heap and collector of the JVM that runs the proxy in the lab (the
 * node agent's JVM, {@code cli} {@code JvmCommand.of(…, "node", SupervisorCommand.NODE_HEAP_MB, …)}:
 * {@code -Xmx1024m -Xss512k -XX:+UseSerialGC}; its CDS and Netty flags do not change steady-state
 * rendering).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1024m", "-Xss512k", "-XX:+UseSerialGC"})
public class RenderBenchmark {
    @Param({"10000"})
    int services;

    ProxySnapshot snapshot;
    final IptablesRenderBuffers buffers = new IptablesRenderBuffers();
    final NftTextBuffers nftBuffers = new NftTextBuffers();
    final ProxyConfig config = ProxyConfig.defaults();
    final NodeInfo node = NodeInfo.named("bench");

    @Setup
    public void setup() {
        snapshot = Snapshots.cluster(services, 10, 0);
    }

    @Benchmark
    public byte[] iptablesRestoreInput() {
        return IptablesRenderer.render(snapshot, config, node, name -> true, buffers).restoreInputBytes(Set.of());
    }

    @Benchmark
    public byte[] nftablesDump() {
        return NftablesRenderer.render(snapshot, config.withMode("nftables"), node, List.of("10.96.0.0/12"))
                .dumpBytes(nftBuffers);
    }
}
