package dev.junction.proxy.nftables.netlink;

/**
 * The nf_tables netlink constants the encoder uses, with the values of the kernel's uapi headers
 * {@code include/uapi/linux/netfilter/nf_tables.h}, {@code nfnetlink.h} and {@code nf_nat.h}
 * (checked against {@code /usr/include/linux/netfilter/} of linux-libc-dev 6.1 and against the bytes
 * nft 1.0.6 sends, {@code strace -e write=3}).
 */
final class NfTables {
    private NfTables() {
    }

    static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int NFNL_MSG_BATCH_BEGIN = 0x10;
    static final int NFNL_MSG_BATCH_END = 0x11;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_DUMP = 0x300;
    static final int AF_INET = 2;

    // enum nf_tables_msg_types
    static final int NFT_MSG_NEWCHAIN = 3;
    static final int NFT_MSG_DELCHAIN = 5;
    static final int NFT_MSG_NEWRULE = 6;
    static final int NFT_MSG_GETRULE = 7;
    static final int NFT_MSG_DELRULE = 8;
    static final int NFT_MSG_NEWSET = 9;
    static final int NFT_MSG_DELSET = 11;
    static final int NFT_MSG_NEWSETELEM = 12;
    static final int NFT_MSG_DELSETELEM = 14;

    // enum nft_chain_attributes
    static final int NFTA_CHAIN_TABLE = 1;
    static final int NFTA_CHAIN_NAME = 3;
    // enum nft_rule_attributes
    static final int NFTA_RULE_TABLE = 1;
    static final int NFTA_RULE_CHAIN = 2;
    static final int NFTA_RULE_EXPRESSIONS = 4;
    // enum nft_set_attributes
    static final int NFTA_SET_TABLE = 1;
    static final int NFTA_SET_NAME = 2;
    static final int NFTA_SET_FLAGS = 3;
    static final int NFTA_SET_KEY_TYPE = 4;
    static final int NFTA_SET_KEY_LEN = 5;
    static final int NFTA_SET_DATA_TYPE = 6;
    static final int NFTA_SET_DATA_LEN = 7;
    static final int NFTA_SET_DESC = 9;
    static final int NFTA_SET_ID = 10;
    static final int NFTA_SET_USERDATA = 13;
    // enum nft_set_desc_attributes
    static final int NFTA_SET_DESC_SIZE = 1;
    // enum nft_set_flags
    static final int NFT_SET_ANONYMOUS = 0x1;
    static final int NFT_SET_CONSTANT = 0x2;
    static final int NFT_SET_MAP = 0x8;
    // enum nft_set_elem_list_attributes
    static final int NFTA_SET_ELEM_LIST_TABLE = 1;
    static final int NFTA_SET_ELEM_LIST_SET = 2;
    static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
    static final int NFTA_SET_ELEM_LIST_SET_ID = 4;
    // enum nft_set_elem_attributes
    static final int NFTA_SET_ELEM_KEY = 1;
    static final int NFTA_SET_ELEM_DATA = 2;
    static final int NFTA_SET_ELEM_USERDATA = 6;
    // enum nft_list_attributes
    static final int NFTA_LIST_ELEM = 1;
    // enum nft_data_attributes / nft_verdict_attributes
    static final int NFTA_DATA_VALUE = 1;
    static final int NFTA_DATA_VERDICT = 2;
    static final int NFTA_VERDICT_CODE = 1;
    static final int NFTA_VERDICT_CHAIN = 2;
    static final int NFT_DATA_VERDICT = 0xffffff00;
    // verdicts (linux/netfilter.h NF_DROP/NF_ACCEPT, enum nft_verdicts)
    static final int NF_DROP = 0;
    static final int NF_ACCEPT = 1;
    static final int NFT_JUMP = -3;
    static final int NFT_GOTO = -4;
    // enum nft_registers
    static final int NFT_REG_VERDICT = 0;
    static final int NFT_REG_1 = 1;
    static final int NFT_REG_2 = 2;
    // enum nft_expr_attributes
    static final int NFTA_EXPR_NAME = 1;
    static final int NFTA_EXPR_DATA = 2;
    // enum nft_payload_attributes, nft_payload_bases
    static final int NFTA_PAYLOAD_DREG = 1;
    static final int NFTA_PAYLOAD_BASE = 2;
    static final int NFTA_PAYLOAD_OFFSET = 3;
    static final int NFTA_PAYLOAD_LEN = 4;
    static final int NFT_PAYLOAD_NETWORK_HEADER = 1;
    // enum nft_cmp_attributes, nft_cmp_ops
    static final int NFTA_CMP_SREG = 1;
    static final int NFTA_CMP_OP = 2;
    static final int NFTA_CMP_DATA = 3;
    static final int NFT_CMP_EQ = 0;
    static final int NFT_CMP_NEQ = 1;
    // enum nft_bitwise_attributes
    static final int NFTA_BITWISE_SREG = 1;
    static final int NFTA_BITWISE_DREG = 2;
    static final int NFTA_BITWISE_LEN = 3;
    static final int NFTA_BITWISE_MASK = 4;
    static final int NFTA_BITWISE_XOR = 5;
    // enum nft_immediate_attributes
    static final int NFTA_IMMEDIATE_DREG = 1;
    static final int NFTA_IMMEDIATE_DATA = 2;
    // enum nft_meta_attributes, nft_meta_keys
    static final int NFTA_META_DREG = 1;
    static final int NFTA_META_KEY = 2;
    static final int NFTA_META_SREG = 3;
    static final int NFT_META_MARK = 3;
    static final int NFT_META_L4PROTO = 16;
    // enum nft_nat_attributes, nft_nat_types; nf_nat.h NF_NAT_RANGE_PROTO_SPECIFIED
    static final int NFTA_NAT_TYPE = 1;
    static final int NFTA_NAT_FAMILY = 2;
    static final int NFTA_NAT_REG_ADDR_MIN = 3;
    static final int NFTA_NAT_REG_PROTO_MIN = 5;
    static final int NFTA_NAT_FLAGS = 7;
    static final int NFT_NAT_DNAT = 1;
    static final int NF_NAT_RANGE_PROTO_SPECIFIED = 2;
    // enum nft_ng_attributes, nft_ng_types
    static final int NFTA_NG_DREG = 1;
    static final int NFTA_NG_MODULUS = 2;
    static final int NFTA_NG_TYPE = 3;
    static final int NFTA_NG_OFFSET = 4;
    static final int NFT_NG_RANDOM = 1;
    // enum nft_lookup_attributes
    static final int NFTA_LOOKUP_SET = 1;
    static final int NFTA_LOOKUP_SREG = 2;
    static final int NFTA_LOOKUP_DREG = 3;
    static final int NFTA_LOOKUP_SET_ID = 4;
    // nft's datatype ids (nftables include/datatype.h enum datatypes): TYPE_INTEGER
    static final int NFT_TYPE_INTEGER = 4;
}
