package dev.junction.proxy.nftables.netlink;

import static dev.junction.proxy.nftables.netlink.NfTables.*;

import dev.junction.proxy.nftables.NftElement;
import dev.junction.proxy.nftables.NftOp;
import dev.junction.proxy.nftables.NftablesChains;
import java.util.List;
import java.util.Optional;

/**
 * Encodes an incremental {@code kube-proxy} transaction ({@link NftOp}s) as ONE nf_tables netlink
 * batch, the messages nft 1.0.6 would send for the same {@code nft -f} text (libnftnl / nft
 * {@code src/mnl.c}): {@code NFNL_MSG_BATCH_BEGIN}, then per command {@code NFT_MSG_NEWCHAIN}
 * ({@code add chain}), {@code NFT_MSG_DELRULE} with only table and chain ({@code flush chain}),
 * {@code NFT_MSG_NEWRULE} (append; preceded by {@code NEWSET}/{@code NEWSETELEM} of an anonymous
 * vmap when the rule has one), {@code NFT_MSG_NEWSETELEM} / {@code DELSETELEM},
 * {@code NFT_MSG_DELCHAIN}, {@code NFT_MSG_DELSET}, then {@code NFNL_MSG_BATCH_END}. As nft does, the
 * messages carry no {@code NLM_F_ACK}, except the LAST one before {@code BATCH_END}: nfnetlink
 * ({@code nfnetlink_rcv_batch}, net/netfilter/nfnetlink.c) answers every failed message anyway and
 * delivers all answers only after the commit (or abort), so that one ack says "committed" and the
 * answers stay few whatever the batch size (one ack per message overran the receive buffer,
 * ENOBUFS, at tens of thousands of messages). Commands the encoder
 * does not support (affinity {@code add set} lines, rule statements other than those of
 * {@link RuleParser}) make the whole transaction unsupported: the caller then uses {@code nft -f}.
 */
public final class NftBatchEncoder {
    private static final String TABLE = NftablesChains.TABLE;
    /** Flags of every command message (the last one also gets {@code NLM_F_ACK}). */
    private static final int ACK = NlMessageBuilder.NLM_F_REQUEST;

    private NftBatchEncoder() {
    }

    /**
     * The batch for {@code ops} whose sequence numbers start at {@code firstSeq} ({@code BATCH_BEGIN};
     * commands from {@code firstSeq + 1}), or empty when a command is not supported. Only the last
     * command message asks for an ack ({@link NftBatch#lastSeq()}).
     */
    public static Optional<NftBatch> encode(List<NftOp> ops, int firstSeq) {
        NlMessageBuilder b = new NlMessageBuilder();
        int seq = firstSeq;
        int m = b.beginMessage(NFNL_MSG_BATCH_BEGIN, NlMessageBuilder.NLM_F_REQUEST, seq++, 0, NFNL_SUBSYS_NFTABLES);
        b.endMessage(m);
        int commands = 0;
        int setId = 1;
        int lastCommand = -1;
        for (NftOp op : ops) {
            switch (op) {
                case NftOp.AddChain c -> {
                    m = b.beginMessage(type(NFT_MSG_NEWCHAIN), ACK | NlMessageBuilder.NLM_F_CREATE, seq++, AF_INET, 0);
                    b.string(NFTA_CHAIN_TABLE, TABLE);
                    b.string(NFTA_CHAIN_NAME, c.chain());
                    b.endMessage(m);
                    lastCommand = m;
                    commands++;
                }
                case NftOp.FlushChain c -> {
                    m = b.beginMessage(type(NFT_MSG_DELRULE), ACK, seq++, AF_INET, 0);
                    b.string(NFTA_RULE_TABLE, TABLE);
                    b.string(NFTA_RULE_CHAIN, c.chain());
                    b.endMessage(m);
                    lastCommand = m;
                    commands++;
                }
                case NftOp.DeleteChain c -> {
                    m = b.beginMessage(type(NFT_MSG_DELCHAIN), ACK, seq++, AF_INET, 0);
                    b.string(NFTA_CHAIN_TABLE, TABLE);
                    b.string(NFTA_CHAIN_NAME, c.chain());
                    b.endMessage(m);
                    lastCommand = m;
                    commands++;
                }
                case NftOp.DeleteSet s -> {
                    m = b.beginMessage(type(NFT_MSG_DELSET), ACK, seq++, AF_INET, 0);
                    b.string(NFTA_SET_TABLE, TABLE);
                    b.string(NFTA_SET_NAME, s.set());
                    b.endMessage(m);
                    lastCommand = m;
                    commands++;
                }
                case NftOp.AddRule r -> {
                    Optional<List<RuleStatement>> statements = RuleParser.parse(r.body());
                    if (statements.isEmpty()) {
                        return Optional.empty();
                    }
                    int ruleSetId = 0;
                    for (RuleStatement s : statements.get()) {
                        if (s instanceof RuleStatement.NumgenVmap vmap) {
                            ruleSetId = setId++;
                            AnonymousVmap.write(b, ACK, seq, TABLE, ruleSetId, vmap.targets());
                            seq += 2;
                            commands += 2;
                        }
                    }
                    m = b.beginMessage(type(NFT_MSG_NEWRULE),
                            ACK | NlMessageBuilder.NLM_F_CREATE | NlMessageBuilder.NLM_F_APPEND, seq++, AF_INET, 0);
                    b.string(NFTA_RULE_TABLE, TABLE);
                    b.string(NFTA_RULE_CHAIN, r.chain());
                    int exprs = b.beginNested(NFTA_RULE_EXPRESSIONS);
                    for (RuleStatement s : statements.get()) {
                        s.write(b, ruleSetId);
                    }
                    b.endNested(exprs);
                    b.endMessage(m);
                    lastCommand = m;
                    commands++;
                }
                case NftOp.AddElement e -> {
                    m = b.beginMessage(type(NFT_MSG_NEWSETELEM), ACK | NlMessageBuilder.NLM_F_CREATE, seq++, AF_INET, 0);
                    if (!elementList(b, e.element(), true)) {
                        return Optional.empty();
                    }
                    b.endMessage(m);
                    lastCommand = m;
                    commands++;
                }
                case NftOp.DeleteElement e -> {
                    m = b.beginMessage(type(NFT_MSG_DELSETELEM), ACK, seq++, AF_INET, 0);
                    if (!elementList(b, e.element(), false)) {
                        return Optional.empty();
                    }
                    b.endMessage(m);
                    lastCommand = m;
                    commands++;
                }
                case NftOp.AddSetLine ignored -> {
                    return Optional.empty();
                }
            }
        }
        if (lastCommand >= 0) {
            b.addFlags(lastCommand, NlMessageBuilder.NLM_F_ACK);
        }
        m = b.beginMessage(NFNL_MSG_BATCH_END, NlMessageBuilder.NLM_F_REQUEST, seq, 0, NFNL_SUBSYS_NFTABLES);
        b.endMessage(m);
        return Optional.of(new NftBatch(b.toByteArray(), firstSeq + 1, seq - 1, commands));
    }

    private static boolean elementList(NlMessageBuilder b, NftElement e, boolean withData) {
        b.string(NFTA_SET_ELEM_LIST_TABLE, TABLE);
        b.string(NFTA_SET_ELEM_LIST_SET, e.container());
        int list = b.beginNested(NFTA_SET_ELEM_LIST_ELEMENTS);
        if (!ElementEncoder.write(b, 1, e, withData)) {
            return false;
        }
        b.endNested(list);
        return true;
    }

    private static int type(int msg) {
        return NFNL_SUBSYS_NFTABLES << 8 | msg;
    }
}
