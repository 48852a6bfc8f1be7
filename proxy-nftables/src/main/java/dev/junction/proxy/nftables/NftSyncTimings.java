package dev.junction.proxy.nftables;

/**
 * Where one {@link NftablesProxier#sync} spent its wall time, in nanoseconds ({@code System.nanoTime}
 * differences; on a loaded host they include waiting for a CPU).
 *
 * @param full           whether the sync replaced the whole table
 * @param viaNetlink     whether it was applied as one nf_tables netlink batch
 * @param renderNanos    re-rendering changed Service ports (and walking the snapshot to find them)
 * @param diffNanos      the incremental commands, or the full transaction's text
 * @param checkNanos     the intact-table check of a sync with nothing to change (0 otherwise)
 * @param encodeNanos    encoding the netlink batch
 * @param applyNanos     the kernel's part: sending the batch until its ack, or running {@code nft -f}
 * @param conntrackNanos finding and deleting stale UDP conntrack entries
 */
public record NftSyncTimings(boolean full, boolean viaNetlink, long renderNanos, long diffNanos, long checkNanos,
        long encodeNanos, long applyNanos, long conntrackNanos) {
    /** The sum of the parts, in nanoseconds. */
    public long totalNanos() {
        return renderNanos + diffNanos + checkNanos + encodeNanos + applyNanos + conntrackNanos;
    }
}
