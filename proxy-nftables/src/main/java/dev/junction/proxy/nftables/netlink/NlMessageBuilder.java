package dev.junction.proxy.nftables.netlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds a stream of netlink messages ({@code struct nlmsghdr} + {@code struct nfgenmsg} + attributes)
 * in one growable buffer, as libmnl's {@code mnl_nlmsg_put_header} / {@code mnl_attr_put*} /
 * {@code mnl_attr_nest_start} do for nft (linux/netlink.h, linux/netfilter/nfnetlink.h). Header fields
 * are in host byte order; nf_tables attribute integers are big-endian (network order), as the kernel's
 * {@code nla_get_be32} reads them. Attributes are padded to 4 bytes ({@code NLA_ALIGNTO}).
 */
public final class NlMessageBuilder {
    /** {@code NLM_F_REQUEST}. */
    public static final int NLM_F_REQUEST = 0x1;
    /** {@code NLM_F_ACK}: the kernel answers every message with an {@code NLMSG_ERROR} (error 0 on success). */
    public static final int NLM_F_ACK = 0x4;
    /** {@code NLM_F_CREATE}. */
    public static final int NLM_F_CREATE = 0x400;
    /** {@code NLM_F_APPEND}. */
    public static final int NLM_F_APPEND = 0x800;
    /** {@code NLA_F_NESTED}. */
    private static final int NLA_F_NESTED = 0x8000;

    private byte[] buf = new byte[4096];
    private int pos;
    private int messages;

    /**
     * Starts a message: {@code nlmsghdr} (length patched by {@link #endMessage}) and {@code nfgenmsg}.
     *
     * @param type   {@code nlmsg_type}, e.g. {@code NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE}
     * @param flags  {@code nlmsg_flags}
     * @param seq    {@code nlmsg_seq}
     * @param family {@code nfgen_family} (e.g. {@code AF_INET} = 2)
     * @param resId  {@code res_id} (big-endian on the wire; {@code NFNL_SUBSYS_NFTABLES} for batch begin/end)
     * @return the message start, for {@link #endMessage(int)}
     */
    public int beginMessage(int type, int flags, int seq, int family, int resId) {
        int start = pos;
        ensure(20);
        putIntHost(0);
        putShortHost(type);
        putShortHost(flags);
        putIntHost(seq);
        putIntHost(0);
        buf[pos++] = (byte) family;
        buf[pos++] = 0;
        buf[pos++] = (byte) (resId >>> 8);
        buf[pos++] = (byte) resId;
        messages++;
        return start;
    }

    /** Adds {@code flags} to the {@code nlmsg_flags} of the message started at {@code start}. */
    public void addFlags(int start, int flags) {
        int at = start + 6; // nlmsg_len (4), nlmsg_type (2), then nlmsg_flags (2), host (little-endian) order
        buf[at] |= (byte) flags;
        buf[at + 1] |= (byte) (flags >>> 8);
    }

    /** Patches the length of the message started at {@code start}. */
    public void endMessage(int start) {
        patchIntHost(start, pos - start);
    }

    /** A 32-bit big-endian attribute. */
    public void u32(int type, int value) {
        header(type, 4);
        buf[pos++] = (byte) (value >>> 24);
        buf[pos++] = (byte) (value >>> 16);
        buf[pos++] = (byte) (value >>> 8);
        buf[pos++] = (byte) value;
    }

    /** A NUL-terminated string attribute. */
    public void string(int type, String value) {
        bytes(type, (value + '\0').getBytes(StandardCharsets.UTF_8));
    }

    /** A raw bytes attribute (padded). */
    public void bytes(int type, byte[] value) {
        header(type, value.length);
        System.arraycopy(value, 0, buf, pos, value.length);
        pos += value.length;
        pad();
    }

    /** Starts a nested attribute ({@code NLA_F_NESTED} set); returns its start for {@link #endNested(int)}. */
    public int beginNested(int type) {
        int start = pos;
        header(type | NLA_F_NESTED, 0);
        return start;
    }

    /** Patches the length of the nested attribute started at {@code start}. */
    public void endNested(int start) {
        int len = pos - start;
        buf[start] = (byte) len;
        buf[start + 1] = (byte) (len >>> 8);
    }

    /** Number of messages begun so far. */
    public int messages() {
        return messages;
    }

    /** Bytes written so far. */
    public int size() {
        return pos;
    }

    /** A copy of the bytes written so far. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    private void header(int type, int payload) {
        int len = 4 + payload;
        ensure(len + 4);
        buf[pos++] = (byte) len;
        buf[pos++] = (byte) (len >>> 8);
        buf[pos++] = (byte) type;
        buf[pos++] = (byte) (type >>> 8);
    }

    private void pad() {
        while ((pos & 3) != 0) {
            buf[pos++] = 0;
        }
    }

    private void putIntHost(int v) {
        patchIntHost(pos, v);
        pos += 4;
    }

    private void putShortHost(int v) {
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >>> 8);
    }

    private void patchIntHost(int at, int v) {
        // Netlink headers are host order; Junction runs on little-endian Linux (x86_64, aarch64).
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
        buf[at + 2] = (byte) (v >>> 16);
        buf[at + 3] = (byte) (v >>> 24);
    }

    private void ensure(int more) {
        if (pos + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more + 64));
        }
    }
}
