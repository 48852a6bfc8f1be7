package dev.junction.proxy.nftables.netlink;

/**
 * An encoded nf_tables batch.
 *
 * @param bytes    the messages, {@code BATCH_BEGIN} … {@code BATCH_END}
 * @param firstSeq sequence number of the first command message ({@code BATCH_BEGIN} has {@code firstSeq - 1})
 * @param lastSeq  sequence number of the last command message, the only one sent with {@code NLM_F_ACK}:
 *                 its answer arrives once the transaction was committed or aborted
 * @param commands number of command messages between {@code BATCH_BEGIN} and {@code BATCH_END}
 */
public record NftBatch(byte[] bytes, int firstSeq, int lastSeq, int commands) {
}
