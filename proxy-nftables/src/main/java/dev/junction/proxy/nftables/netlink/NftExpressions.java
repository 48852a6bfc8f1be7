package dev.junction.proxy.nftables.netlink;

import static dev.junction.proxy.nftables.netlink.NfTables.*;

/**
 * Writes nf_tables expressions ({@code NFTA_LIST_ELEM} → {@code NFTA_EXPR_NAME} + {@code NFTA_EXPR_DATA})
 * with the attributes libnftnl's {@code src/expr/*.c} build for nft 1.0.6 (payload, cmp, bitwise,
 * meta, immediate, nat, numgen, lookup), into an open {@code NFTA_RULE_EXPRESSIONS} nest.
 */
final class NftExpressions {
    private NftExpressions() {
    }

    /** {@code [ payload load LEN b @ network header + OFFSET => reg DREG ]}. */
    static void payloadNetwork(NlMessageBuilder b, int dreg, int offset, int len) {
        Open data = begin(b, "payload");
        b.u32(NFTA_PAYLOAD_DREG, dreg);
        b.u32(NFTA_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
        b.u32(NFTA_PAYLOAD_OFFSET, offset);
        b.u32(NFTA_PAYLOAD_LEN, len);
        end(b, data);
    }

    /** {@code [ cmp OP reg SREG VALUE ]}. */
    static void cmp(NlMessageBuilder b, int sreg, int op, byte[] value) {
        Open data = begin(b, "cmp");
        b.u32(NFTA_CMP_SREG, sreg);
        b.u32(NFTA_CMP_OP, op);
        int d = b.beginNested(NFTA_CMP_DATA);
        b.bytes(NFTA_DATA_VALUE, value);
        b.endNested(d);
        end(b, data);
    }

    /** {@code [ bitwise reg R = ( reg R & MASK ) ^ XOR ]} (mask-and-xor form, {@code NFTA_BITWISE_OP} omitted as nft does). */
    static void bitwise(NlMessageBuilder b, int reg, byte[] mask, byte[] xor) {
        Open data = begin(b, "bitwise");
        b.u32(NFTA_BITWISE_SREG, reg);
        b.u32(NFTA_BITWISE_DREG, reg);
        b.u32(NFTA_BITWISE_LEN, mask.length);
        int m = b.beginNested(NFTA_BITWISE_MASK);
        b.bytes(NFTA_DATA_VALUE, mask);
        b.endNested(m);
        int x = b.beginNested(NFTA_BITWISE_XOR);
        b.bytes(NFTA_DATA_VALUE, xor);
        b.endNested(x);
        end(b, data);
    }

    /** {@code [ meta load KEY => reg DREG ]}. */
    static void meta(NlMessageBuilder b, int key, int dreg) {
        Open data = begin(b, "meta");
        b.u32(NFTA_META_KEY, key);
        b.u32(NFTA_META_DREG, dreg);
        end(b, data);
    }

    /** {@code [ immediate reg 0 CODE -> CHAIN ]}; {@code chain} is null for verdicts without a target. */
    static void immediateVerdict(NlMessageBuilder b, int code, String chain) {
        Open data = begin(b, "immediate");
        b.u32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
        int d = b.beginNested(NFTA_IMMEDIATE_DATA);
        verdict(b, code, chain);
        b.endNested(d);
        end(b, data);
    }

    /** {@code [ immediate reg DREG VALUE ]}. */
    static void immediateValue(NlMessageBuilder b, int dreg, byte[] value) {
        Open data = begin(b, "immediate");
        b.u32(NFTA_IMMEDIATE_DREG, dreg);
        int d = b.beginNested(NFTA_IMMEDIATE_DATA);
        b.bytes(NFTA_DATA_VALUE, value);
        b.endNested(d);
        end(b, data);
    }

    /** {@code [ nat dnat ip addr_min reg ADDR proto_min reg PROTO flags 0x2 ]}. */
    static void dnatIpv4(NlMessageBuilder b, int addrReg, int protoReg) {
        Open data = begin(b, "nat");
        b.u32(NFTA_NAT_TYPE, NFT_NAT_DNAT);
        b.u32(NFTA_NAT_FAMILY, AF_INET);
        b.u32(NFTA_NAT_REG_ADDR_MIN, addrReg);
        b.u32(NFTA_NAT_REG_PROTO_MIN, protoReg);
        b.u32(NFTA_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
        end(b, data);
    }

    /** {@code [ numgen reg DREG = random mod MODULUS ]} (offset 0). */
    static void numgenRandom(NlMessageBuilder b, int dreg, int modulus) {
        Open data = begin(b, "numgen");
        b.u32(NFTA_NG_DREG, dreg);
        b.u32(NFTA_NG_MODULUS, modulus);
        b.u32(NFTA_NG_TYPE, NFT_NG_RANDOM);
        b.u32(NFTA_NG_OFFSET, 0);
        end(b, data);
    }

    /** {@code [ lookup reg SREG set NAME dreg DREG ]} of a set created in the same batch ({@code setId}). */
    static void lookup(NlMessageBuilder b, int sreg, int dreg, String set, int setId) {
        Open data = begin(b, "lookup");
        b.u32(NFTA_LOOKUP_SREG, sreg);
        b.u32(NFTA_LOOKUP_DREG, dreg);
        b.string(NFTA_LOOKUP_SET, set);
        b.u32(NFTA_LOOKUP_SET_ID, setId);
        end(b, data);
    }

    /** An {@code NFTA_DATA_VERDICT} nest: code and, for jump/goto, the chain. */
    static void verdict(NlMessageBuilder b, int code, String chain) {
        int v = b.beginNested(NFTA_DATA_VERDICT);
        b.u32(NFTA_VERDICT_CODE, code);
        if (chain != null) {
            b.string(NFTA_VERDICT_CHAIN, chain);
        }
        b.endNested(v);
    }

    /** The two open nests of one expression: the list element and its {@code NFTA_EXPR_DATA}. */
    private record Open(int elem, int data) {
    }

    private static Open begin(NlMessageBuilder b, String name) {
        int elem = b.beginNested(NFTA_LIST_ELEM);
        b.string(NFTA_EXPR_NAME, name);
        return new Open(elem, b.beginNested(NFTA_EXPR_DATA));
    }

    private static void end(NlMessageBuilder b, Open open) {
        b.endNested(open.data());
        b.endNested(open.elem());
    }
}
