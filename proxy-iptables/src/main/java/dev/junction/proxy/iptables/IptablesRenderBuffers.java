package dev.junction.proxy.iptables;

import dev.junction.proxy.AsciiText;
import java.util.ArrayList;
import java.util.List;

/**
 * The memory one render writes its nat chains and rules into, kept by a proxier from one sync to
 * the next, as upstream's {@code Proxier} keeps its {@code natChains}/{@code natRules}
 * {@code LineBuffer}s and {@code iptablesData} and resets them each sync (kubernetes
 * pkg/proxy/iptables/proxier.go, v1.33): a full render of 10,000 Services × 10 endpoints then
 * writes ~31 MB of text into memory it already owns instead of allocating it. The
 * {@link IptablesRules} of a render into these buffers are valid until the next render into them;
 * after that their nat accessors throw {@link IllegalStateException}. Not thread-safe: one
 * renderer at a time (the proxier's sync is serial).
 */
public final class IptablesRenderBuffers {
    final AsciiText natChainLines = new AsciiText(AsciiText.MAX_CHUNK);
    final AsciiText natRules = new AsciiText(AsciiText.MAX_CHUNK);
    final AsciiText skippedChainLines = new AsciiText(256);
    final AsciiText skippedRules = new AsciiText(4096);
    final List<String> natChains = new ArrayList<>();
    final List<String> skippedChains = new ArrayList<>();
    final List<String> active = new ArrayList<>();
    private int generation;

    /** Empty buffers; they grow to the largest render written into them and stay that large. */
    public IptablesRenderBuffers() {
    }

    /** Starts a render: forgets the previous one (invalidating its rules) and returns the new generation. */
    int reset() {
        natChainLines.clear();
        natRules.clear();
        skippedChainLines.clear();
        skippedRules.clear();
        natChains.clear();
        skippedChains.clear();
        active.clear();
        return ++generation;
    }

    /** The number of renders written into these buffers. */
    int generation() {
        return generation;
    }

    /** Bytes of text memory held (written or spare). */
    public long capacityBytes() {
        return natChainLines.capacity() + natRules.capacity() + skippedChainLines.capacity() + skippedRules.capacity();
    }
}
