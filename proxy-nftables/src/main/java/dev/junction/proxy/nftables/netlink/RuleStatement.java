package dev.junction.proxy.nftables.netlink;

import static dev.junction.proxy.nftables.netlink.NfTables.*;

import java.util.Arrays;
import java.util.List;

/**
 * One statement of a kube-proxy rule that the netlink encoder supports, with the expressions nft
 * 1.0.6 generates for it (as printed by {@code nft --debug=netlink}).
 */
sealed interface RuleStatement {
    /** Writes the statement's expressions; {@code setId} is the batch id of its anonymous set, if it has one. */
    void write(NlMessageBuilder b, int setId);

    /**
     * {@code ip saddr|daddr [!=] ADDR[/PREFIX]}: a payload load of the network header and a compare.
     * A prefix on a byte boundary loads only the prefix bytes; another prefix loads 4 bytes and masks
     * them with {@code bitwise} (nft's {@code expr_evaluate_prefix} / payload-expr combining).
     */
    record IpMatch(int offset, boolean negate, byte[] address, int prefix) implements RuleStatement {
        @Override
        public void write(NlMessageBuilder b, int setId) {
            int op = negate ? NFT_CMP_NEQ : NFT_CMP_EQ;
            if (prefix == 32) {
                NftExpressions.payloadNetwork(b, NFT_REG_1, offset, 4);
                NftExpressions.cmp(b, NFT_REG_1, op, address);
            } else if (prefix % 8 == 0) {
                int len = prefix / 8;
                NftExpressions.payloadNetwork(b, NFT_REG_1, offset, len);
                NftExpressions.cmp(b, NFT_REG_1, op, Arrays.copyOf(address, len));
            } else {
                byte[] mask = new byte[4];
                byte[] masked = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int bits = Math.max(0, Math.min(8, prefix - 8 * i));
                    mask[i] = (byte) (0xff << (8 - bits));
                    masked[i] = (byte) (address[i] & mask[i]);
                }
                NftExpressions.payloadNetwork(b, NFT_REG_1, offset, 4);
                NftExpressions.bitwise(b, NFT_REG_1, mask, new byte[4]);
                NftExpressions.cmp(b, NFT_REG_1, op, masked);
            }
        }
    }

    /** {@code meta l4proto PROTO}: {@code meta load l4proto} and a one-byte compare. */
    record L4Proto(int protocol) implements RuleStatement {
        @Override
        public void write(NlMessageBuilder b, int setId) {
            NftExpressions.meta(b, NFT_META_L4PROTO, NFT_REG_1);
            NftExpressions.cmp(b, NFT_REG_1, NFT_CMP_EQ, new byte[] {(byte) protocol});
        }
    }

    /** {@code jump CHAIN} / {@code goto CHAIN}: an immediate verdict. */
    record Verdict(int code, String chain) implements RuleStatement {
        @Override
        public void write(NlMessageBuilder b, int setId) {
            NftExpressions.immediateVerdict(b, code, chain);
        }
    }

    /** {@code dnat to IP:PORT}: address in reg 1, port in reg 2, {@code nat dnat … flags 0x2}. */
    record Dnat(byte[] address, int port) implements RuleStatement {
        @Override
        public void write(NlMessageBuilder b, int setId) {
            NftExpressions.immediateValue(b, NFT_REG_1, address);
            NftExpressions.immediateValue(b, NFT_REG_2, new byte[] {(byte) (port >>> 8), (byte) port});
            NftExpressions.dnatIpv4(b, NFT_REG_1, NFT_REG_2);
        }
    }

    /**
     * {@code numgen random mod N vmap { 0 : goto A , … }}: an anonymous constant verdict map
     * {@code __map%d} (sent before the rule) looked up with the random number.
     *
     * @param targets entry {@code i} is the verdict for key {@code i}
     */
    record NumgenVmap(List<VmapTarget> targets) implements RuleStatement {
        @Override
        public void write(NlMessageBuilder b, int setId) {
            NftExpressions.numgenRandom(b, NFT_REG_1, targets.size());
            NftExpressions.lookup(b, NFT_REG_1, NFT_REG_VERDICT, AnonymousVmap.NAME, setId);
        }
    }

    /** A verdict of a vmap entry. */
    record VmapTarget(int code, String chain) {
    }
}
