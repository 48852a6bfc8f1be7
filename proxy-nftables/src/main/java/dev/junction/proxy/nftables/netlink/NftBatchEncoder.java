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
 * {@code NFT_MSG_DELCHAIN}, {@code NFT_MSG_DELSET}, then {@code NFNL_MSG_BATCH_END}. Every message
 * inside the batch carries {@code NLM_F_ACK}, so the kernel answers each one. Commands the encoder
 * does not support (affinity {@code add set} lines, rule statements other than those of
 * {@link RuleParser}) make the whole transaction unsupported: the caller then uses {@code nft -f}.
 */
public final class NftBatchEncoder {
    private static final String TABLE = NftablesChains.TABLE;
    private static final int ACK = NlMessageBuilder.NLM_F_REQUEST | NlMessageBuilder.NLM_F_ACK;

    private NftBatchEncoder() {
    }

    /**
     * The batch for {@code ops} whose sequence numbers start at {@code firstSeq}, or empty when a
     * command is not supported.
     */
    public static Optional<NftBatch> encode(List<NftOp> ops, int firstSeq) {
        NlMessageBuilder b = new NlMessageBuilder();
        int seq = firstSeq;
        int m = b.beginMessage(NFNL_MSG_BATCH_BEGIN, NlMessageBuilder.NLM_F_REQUEST, seq++, 0, NFNL_SUBSYS_NFTABLES);
        b.endMessage(m);
        int acked = 0;
        int setId = 1;
        for (NftOp op : ops) {
            switch (op) {
                case NftOp.AddChain c -> {
                    m = b.beginMessage(type(NFT_MSG_NEWCHAIN), ACK | NlMessageBuilder.NLM_F_CREATE, seq++, AF_INET, 0);
                    b.string(NFTA_CHAIN_TABLE, TABLE);
                    b.string(NFTA_CHAIN_NAME, c.chain());
                    b.endMessage(m);
                    acked++;
                }
                case NftOp.FlushChain c -> {
                    m = b.beginMessage(type(NFT_MSG_DELRULE), ACK, seq++, AF_INET, 0);
                    b.string(NFTA_RULE_TABLE, TABLE);
                    b.string(NFTA_RULE_CHAIN, c.chain());
                    b.endMessage(m);
                    acked++;
                }
                case NftOp.DeleteChain c -> {
                    m = b.beginMessage(type(NFT_MSG_DELCHAIN), ACK, seq++, AF_INET, 0);
                    b.string(NFTA_CHAIN_TABLE, TABLE);
                    b.string(NFTA_CHAIN_NAME, c.chain());
                    b.endMessage(m);
                    acked++;
                }
                case NftOp.DeleteSet s -> {
                    m = b.beginMessage(type(NFT_MSG_DELSET), ACK, seq++, AF_INET, 0);
                    b.string(NFTA_SET_TABLE, TABLE);
                    b.string(NFTA_SET_NAME, s.set());
                    b.endMessage(m);
                    acked++;
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
                            acked += 2;
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
                    acked++;
                }
                case NftOp.AddElement e -> {
                    m = b.beginMessage(type(NFT_MSG_NEWSETELEM), ACK | NlMessageBuilder.NLM_F_CREATE, seq++, AF_INET, 0);
                    if (!elementList(b, e.element(), true)) {
                        return Optional.empty();
                    }
                    b.endMessage(m);
                    acked++;
                }
                case NftOp.DeleteElement e -> {
                    m = b.beginMessage(type(NFT_MSG_DELSETELEM), ACK, seq++, AF_INET, 0);
                    if (!elementList(b, e.element(), false)) {
                        return Optional.empty();
                    }
                    b.endMessage(m);
                    acked++;
                }
                case NftOp.AddSetLine ignored -> {
                    return Optional.empty();
                }
            }
        }
        m = b.beginMessage(NFNL_MSG_BATCH_END, NlMessageBuilder.NLM_F_REQUEST, seq, 0, NFNL_SUBSYS_NFTABLES);
        b.endMessage(m);
        return Optional.of(new NftBatch(b.toByteArray(), firstSeq + 1, seq - 1, acked));
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
