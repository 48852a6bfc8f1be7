package dev.junction.proxy.nftables.netlink;

/**
 * An encoded nf_tables batch.
 *
 * @param bytes    the messages, {@code BATCH_BEGIN} … {@code BATCH_END}
 * @param firstSeq sequence number of the first acknowledged message
 * @param lastSeq  sequence number of the last acknowledged message
 * @param acked    number of messages sent with {@code NLM_F_ACK} (one answer each)
 */
public record NftBatch(byte[] bytes, int firstSeq, int lastSeq, int acked) {
}
