package dev.junction.proxy.nftables.netlink;

import static dev.junction.proxy.nftables.netlink.NfTables.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * {@link RuleDump} on answers shaped as the kernel's {@code nf_tables_fill_rule_info} writes them
 * (net/netfilter/nf_tables_api.c): NEWRULE messages with table, chain and a nest of expressions, then
 * {@code NLMSG_DONE}; the real kernel's answers are covered by {@code NftablesNetfilterTest}.
 */
class RuleDumpTest {
    private static final int NEWRULE = NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE;

    @Test
    void requestIsARuleDumpOfOneChain() {
        ByteBuffer in = ByteBuffer.wrap(RuleDump.request(42, "kube-proxy", "mark-for-masquerade")).order(ByteOrder.nativeOrder());
        assertThat(in.getShort(4) & 0xffff).isEqualTo(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE);
        assertThat(in.getShort(6) & 0xffff).isEqualTo(NlMessageBuilder.NLM_F_REQUEST | NLM_F_DUMP);
        assertThat(in.getInt(8)).isEqualTo(42);
        assertThat(new String(in.array(), java.nio.charset.StandardCharsets.US_ASCII)).contains("kube-proxy\0")
                .contains("mark-for-masquerade\0");
    }

    @Test
    void readsTheMarkSetRuleAndStopsAtDone() {
        NlMessageBuilder b = new NlMessageBuilder();
        rule(b, 7, true);
        rule(b, 8, true); // another request's answer: ignored
        int done = b.beginMessage(NLMSG_DONE, 2, 7, 0, 0);
        b.endMessage(done);
        RuleDump dump = new RuleDump(7);
        dump.read(ByteBuffer.wrap(b.toByteArray()).order(ByteOrder.nativeOrder()));
        assertThat(dump.done()).isTrue();
        assertThat(dump.error()).isZero();
        assertThat(dump.rules()).hasSize(1);
        assertThat(dump.rules().get(0)).extracting(RuleDump.Expression::name).containsExactly("meta", "bitwise", "meta");
        assertThat(dump.rules().get(0).get(0).isMetaMarkSet()).isFalse(); // the load
        assertThat(dump.rules().get(0).get(2).isMetaMarkSet()).isTrue();  // the set
    }

    @Test
    void aRuleWithoutMarkSetIsNotTakenForIt() {
        NlMessageBuilder b = new NlMessageBuilder();
        rule(b, 9, false);
        RuleDump dump = new RuleDump(9);
        dump.read(ByteBuffer.wrap(b.toByteArray()).order(ByteOrder.nativeOrder()));
        assertThat(dump.done()).isFalse();
        assertThat(dump.rules()).hasSize(1);
        assertThat(dump.rules().get(0)).noneMatch(RuleDump.Expression::isMetaMarkSet);
    }

    @Test
    void anErrorEndsTheDump() {
        NlMessageBuilder b = new NlMessageBuilder();
        int m = b.beginMessage(NLMSG_ERROR, 0, 5, 0, 0); // nfgenmsg bytes stand in for the first bytes of nlmsgerr
        b.endMessage(m);
        byte[] bytes = b.toByteArray();
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        in.putInt(16, -2);
        RuleDump dump = new RuleDump(5);
        dump.read(in);
        assertThat(dump.done()).isTrue();
        assertThat(dump.error()).isEqualTo(-2);
    }

    /** {@code meta mark set meta mark | 0x4000} as the kernel lists it, or only its load and bitwise. */
    private static void rule(NlMessageBuilder b, int seq, boolean withSet) {
        int m = b.beginMessage(NEWRULE, 2, seq, AF_INET, 0);
        b.string(NFTA_RULE_TABLE, "kube-proxy");
        b.string(NFTA_RULE_CHAIN, "mark-for-masquerade");
        int exprs = b.beginNested(NFTA_RULE_EXPRESSIONS);
        NftExpressions.meta(b, NFT_META_MARK, NFT_REG_1);
        NftExpressions.bitwise(b, NFT_REG_1, new byte[] {(byte) 0xff, (byte) 0xbf, (byte) 0xff, (byte) 0xff},
                new byte[] {0, 0x40, 0, 0});
        if (withSet) {
            int elem = b.beginNested(1);
            b.string(NFTA_EXPR_NAME, "meta");
            int data = b.beginNested(NFTA_EXPR_DATA);
            b.u32(NFTA_META_KEY, NFT_META_MARK);
            b.u32(NFTA_META_SREG, NFT_REG_1);
            b.endNested(data);
            b.endNested(elem);
        }
        b.endNested(exprs);
        b.endMessage(m);
    }
}
