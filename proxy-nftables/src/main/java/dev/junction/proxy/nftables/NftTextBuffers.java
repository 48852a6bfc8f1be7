package dev.junction.proxy.nftables;

import dev.junction.proxy.AsciiText;
import java.util.Map;
import java.util.TreeMap;

/**
 * The memory {@link NftablesRules#dumpBytes(NftTextBuffers)} and
 * {@link NftablesRules#fullTransactionBytes(NftTextBuffers)} write their text into, kept by a
 * proxier from one sync to the next, as upstream's nftables {@code Proxier} reuses its
 * transaction's memory each sync (kubernetes pkg/proxy/nftables/proxier.go, v1.33; iptables mode:
 * {@code dev.junction.proxy.iptables.IptablesRenderBuffers}). A full transaction of 10,000 Services
 * × 10 endpoints (~45 MB) is then written into chunks this object already owns; only the returned
 * exact-size array is new. Not thread-safe: one writer at a time (the proxier's sync is serial).
 */
public final class NftTextBuffers {
    final AsciiText text = new AsciiText(AsciiText.MAX_CHUNK);
    /** Per set or map name, the comma-separated elements of the full transaction's batched command. */
    private final Map<String, AsciiText> elements = new TreeMap<>();

    /** Empty buffers; they grow to the largest text written into them and stay that large. */
    public NftTextBuffers() {
    }

    /** Forgets the previous text; the chunks are kept. */
    void reset() {
        text.clear();
        elements.values().forEach(AsciiText::clear);
    }

    /** The element list of {@code container} (cleared by {@link #reset()}, kept across writes). */
    AsciiText elements(String container) {
        return elements.computeIfAbsent(container, c -> new AsciiText(4096));
    }

    /** Element lists in container-name order, empty ones included (callers skip them). */
    Map<String, AsciiText> elementLists() {
        return elements;
    }

    /** The text written last, as a String (UTF-8; for debugging and tests). */
    String lastText() {
        return text.toString();
    }

    /** Bytes of text memory held (written or spare). */
    public long capacityBytes() {
        long sum = text.capacity();
        for (AsciiText t : elements.values()) {
            sum += t.capacity();
        }
        return sum;
    }
}
