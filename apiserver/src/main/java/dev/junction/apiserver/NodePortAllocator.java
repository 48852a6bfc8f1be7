package dev.junction.apiserver;

import java.util.BitSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Allocates Service NodePorts from {@code --service-node-port-range} (default 30000-32767), like
 * upstream {@code pkg/registry/core/service/portallocator} with the static band of KEP-3668
 * (dynamic allocations prefer the upper part of the range). Not thread-safe: callers hold the
 * store lock.
 */
public final class NodePortAllocator {
    private final int low;
    private final int high;
    private final int staticBand;
    private final BitSet used;

    /**
     * @param range {@code LOW-HIGH}, inclusive, within 1-65535
     * @throws IllegalArgumentException for a malformed range
     */
    public NodePortAllocator(String range) {
        String[] parts = range.split("-");
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            low = Integer.parseInt(parts[0].trim());
            high = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("service-node-port-range: " + range + " (expected: LOW-HIGH)");
        }
        if (low < 1 || high > 65535 || low > high) {
            throw new IllegalArgumentException("service-node-port-range: " + range + " (expected: 1 <= LOW <= HIGH <= 65535)");
        }
        int size = high - low + 1;
        staticBand = Math.min(Math.max(16, size / 32), 128);
        used = new BitSet(size);
    }

    /** The range as {@code LOW-HIGH}. */
    public String range() {
        return low + "-" + high;
    }

    /**
     * Marks a requested port allocated.
     *
     * @return the error detail as upstream words it, or empty on success
     */
    public Optional<String> allocate(int port) {
        if (port < low || port > high) {
            return Optional.of("provided port is not in the valid range. The range of valid ports is " + range());
        }
        if (used.get(port - low)) {
            return Optional.of("provided port is already allocated");
        }
        used.set(port - low);
        return Optional.empty();
    }

    /** Allocates a free port, dynamic band first; empty when the range is full. */
    public OptionalInt allocateNext() {
        int size = high - low + 1;
        int band = Math.min(staticBand, size - 1);
        OptionalInt off = pick(band, size - 1);
        if (off.isEmpty()) {
            off = pick(0, band - 1);
        }
        if (off.isEmpty()) {
            return OptionalInt.empty();
        }
        used.set(off.getAsInt());
        return OptionalInt.of(low + off.getAsInt());
    }

    /** Frees a port; ports outside the range are ignored. */
    public void release(int port) {
        if (port >= low && port <= high) {
            used.clear(port - low);
        }
    }

    /** Whether a port is allocated. */
    public boolean isAllocated(int port) {
        return port >= low && port <= high && used.get(port - low);
    }

    private OptionalInt pick(int from, int to) {
        if (from > to) {
            return OptionalInt.empty();
        }
        int start = from + ThreadLocalRandom.current().nextInt(to - from + 1);
        int free = used.nextClearBit(start);
        if (free > to) {
            free = used.nextClearBit(from);
        }
        return free <= to ? OptionalInt.of(free) : OptionalInt.empty();
    }
}
