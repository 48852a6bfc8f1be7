package dev.junction.proxy.nftables.netlink;

import static dev.junction.proxy.nftables.netlink.NfTables.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The {@code NFT_MSG_GETRULE} dump of ONE chain ({@code NLM_F_DUMP} with {@code NFTA_RULE_TABLE} and
 * {@code NFTA_RULE_CHAIN}: the kernel looks the chain up by name, {@code nf_tables_dump_rules},
 * net/netfilter/nf_tables_api.c, so the cost does not grow with the table) and the parsing of its
 * answers: {@code NFT_MSG_NEWRULE} messages ({@code NLM_F_MULTI}) until {@code NLMSG_DONE}. A missing
 * table or chain dumps nothing. This replaces {@code nft list chain}, which with nft 1.0.6 first
 * dumps every chain of the table into its cache (~1 s of CPU at 10,000 Services).
 */
public final class RuleDump {
    private static final int NFTA_LIST_ELEM = 1;
    private static final int ATTR_TYPE_MASK = 0x3fff;

    /** One expression of a dumped rule: its name ({@code NFTA_EXPR_NAME}) and raw {@code NFTA_EXPR_DATA} attributes. */
    public record Expression(String name, Map<Integer, byte[]> data) {
        /** The big-endian 32-bit attribute {@code type} of the expression's data, when present. */
        public OptionalInt u32(int type) {
            byte[] v = data.get(type);
            return v == null || v.length < 4 ? OptionalInt.empty() : OptionalInt.of(ByteBuffer.wrap(v).getInt());
        }

        /** Whether this is {@code meta mark set …} ({@code meta} with {@code NFTA_META_KEY} = {@code NFT_META_MARK} and a source register). */
        public boolean isMetaMarkSet() {
            return name.equals("meta") && u32(NFTA_META_KEY).orElse(-1) == NFT_META_MARK && data.containsKey(NFTA_META_SREG);
        }
    }

    private final int seq;
    private final List<List<Expression>> rules = new ArrayList<>();
    private boolean done;
    private int error;

    /** The answers to the request with sequence number {@code seq}. */
    RuleDump(int seq) {
        this.seq = seq;
    }

    /** The request for chain {@code chain} of table {@code table} (family ip); not in a batch: dumps are answered directly. */
    static byte[] request(int seq, String table, String chain) {
        NlMessageBuilder b = new NlMessageBuilder();
        int m = b.beginMessage(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE, NlMessageBuilder.NLM_F_REQUEST | NLM_F_DUMP,
                seq, AF_INET, 0);
        b.string(NFTA_RULE_TABLE, table);
        b.string(NFTA_RULE_CHAIN, chain);
        b.endMessage(m);
        return b.toByteArray();
    }

    /** Whether {@code NLMSG_DONE} or an error answered the request. */
    boolean done() {
        return done;
    }

    /** The negative errno the kernel answered with, or 0. */
    int error() {
        return error;
    }

    /** The rules read so far, each as its expressions in order. */
    List<List<Expression>> rules() {
        return rules;
    }

    /** Reads the messages of one received datagram ({@code in} in native order); answers to other requests are skipped. */
    void read(ByteBuffer in) {
        int off = 0;
        int limit = in.limit();
        while (off + 16 <= limit) {
            int len = in.getInt(off);
            int type = in.getShort(off + 4) & 0xffff;
            int msgSeq = in.getInt(off + 8);
            if (len < 16 || off + len > limit) {
                break;
            }
            if (msgSeq == seq) {
                if (type == NLMSG_DONE) {
                    done = true;
                } else if (type == NLMSG_ERROR && len >= 20) {
                    error = in.getInt(off + 16);
                    done = true;
                } else if (type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE)) {
                    rules.add(expressions(in, off + 20, off + len));
                }
            }
            off += (len + 3) & ~3;
        }
    }

    private static List<Expression> expressions(ByteBuffer in, int from, int to) {
        List<Expression> out = new ArrayList<>();
        for (int off = from; off + 4 <= to; off += align(in.getShort(off) & 0xffff)) {
            int len = in.getShort(off) & 0xffff;
            if (len < 4) {
                break;
            }
            if ((in.getShort(off + 2) & ATTR_TYPE_MASK) != NFTA_RULE_EXPRESSIONS) {
                continue;
            }
            for (int e = off + 4; e + 4 <= off + len; e += align(in.getShort(e) & 0xffff)) {
                int elen = in.getShort(e) & 0xffff;
                if (elen < 4) {
                    break;
                }
                if ((in.getShort(e + 2) & ATTR_TYPE_MASK) == NFTA_LIST_ELEM) {
                    out.add(expression(in, e + 4, e + elen));
                }
            }
        }
        return out;
    }

    private static Expression expression(ByteBuffer in, int from, int to) {
        String name = "";
        Map<Integer, byte[]> data = new HashMap<>();
        for (int off = from; off + 4 <= to; off += align(in.getShort(off) & 0xffff)) {
            int len = in.getShort(off) & 0xffff;
            if (len < 4) {
                break;
            }
            int type = in.getShort(off + 2) & ATTR_TYPE_MASK;
            if (type == NFTA_EXPR_NAME) {
                byte[] raw = new byte[len - 4];
                in.get(off + 4, raw);
                int end = 0;
                while (end < raw.length && raw[end] != 0) {
                    end++;
                }
                name = new String(raw, 0, end, StandardCharsets.US_ASCII);
            } else if (type == NFTA_EXPR_DATA) {
                for (int a = off + 4; a + 4 <= off + len; a += align(in.getShort(a) & 0xffff)) {
                    int alen = in.getShort(a) & 0xffff;
                    if (alen < 4) {
                        break;
                    }
                    byte[] value = new byte[alen - 4];
                    in.get(a + 4, value);
                    data.put(in.getShort(a + 2) & ATTR_TYPE_MASK, value);
                }
            }
        }
        return new Expression(name, Map.copyOf(data));
    }

    private static int align(int len) {
        return Math.max(4, (len + 3) & ~3);
    }
}
