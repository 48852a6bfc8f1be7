package dev.junction.proxy.nftables.netlink;

import static dev.junction.proxy.nftables.netlink.NfTables.*;

import java.util.List;

/**
 * The anonymous verdict map of {@code numgen random mod N vmap { … }}: {@code NFT_MSG_NEWSET} (flags
 * anonymous|constant|map, 32-bit integer key in host byte order, verdict data) and one
 * {@code NFT_MSG_NEWSETELEM} with its N elements, as nft 1.0.6 sends them (captured bytes; the set
 * userdata carries nft's key/data byte order and {@code typeof} info so that {@code nft list} prints
 * the map as nft would).
 */
final class AnonymousVmap {
    /** The name template; the kernel replaces {@code %d} ({@code nf_tables_set_alloc_name}). */
    static final String NAME = "__map%d";
    /** NFTA_SET_USERDATA of nft 1.0.6 for a numgen-keyed verdict map (NFTNL_UDATA_SET_* TLVs). */
    private static final byte[] USERDATA = hex("00040100000001040000000004080004010000000100060400000000");

    private AnonymousVmap() {
    }

    /** Appends the NEWSET and NEWSETELEM messages of a map with {@code targets}, batch id {@code setId}. */
    static void write(NlMessageBuilder b, int flags, int seq, String table, int setId, List<RuleStatement.VmapTarget> targets) {
        int m = b.beginMessage(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSET, flags | NlMessageBuilder.NLM_F_CREATE, seq,
                AF_INET, 0);
        b.string(NFTA_SET_TABLE, table);
        b.string(NFTA_SET_NAME, NAME);
        b.u32(NFTA_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_MAP);
        b.u32(NFTA_SET_KEY_TYPE, NFT_TYPE_INTEGER);
        b.u32(NFTA_SET_KEY_LEN, 4);
        b.u32(NFTA_SET_DATA_TYPE, NFT_DATA_VERDICT);
        b.u32(NFTA_SET_DATA_LEN, 0);
        b.u32(NFTA_SET_ID, setId);
        int desc = b.beginNested(NFTA_SET_DESC);
        b.u32(NFTA_SET_DESC_SIZE, targets.size());
        b.endNested(desc);
        b.bytes(NFTA_SET_USERDATA, USERDATA);
        b.endMessage(m);

        m = b.beginMessage(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM, flags | NlMessageBuilder.NLM_F_CREATE, seq + 1,
                AF_INET, 0);
        b.string(NFTA_SET_ELEM_LIST_TABLE, table);
        b.string(NFTA_SET_ELEM_LIST_SET, NAME);
        b.u32(NFTA_SET_ELEM_LIST_SET_ID, setId);
        int list = b.beginNested(NFTA_SET_ELEM_LIST_ELEMENTS);
        for (int i = 0; i < targets.size(); i++) {
            int e = b.beginNested(i + 1);
            int key = b.beginNested(NFTA_SET_ELEM_KEY);
            // numgen writes a host-order (little-endian) u32; nft sends the keys the same way.
            b.bytes(NFTA_DATA_VALUE, new byte[] {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)});
            b.endNested(key);
            int data = b.beginNested(NFTA_SET_ELEM_DATA);
            NftExpressions.verdict(b, targets.get(i).code(), targets.get(i).chain());
            b.endNested(data);
            b.endNested(e);
        }
        b.endNested(list);
        b.endMessage(m);
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
