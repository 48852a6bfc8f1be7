package dev.junction.proxy.nftables.netlink;

import static dev.junction.proxy.nftables.netlink.NfTables.*;

import dev.junction.proxy.nftables.NftElement;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Encodes elements of the named sets and maps of table {@code ip kube-proxy} as
 * {@code NFTA_SET_ELEM_LIST_ELEMENTS} entries: concatenated keys with every field padded to 4 bytes
 * ({@code ipv4_addr} 4 bytes, {@code inet_proto} 1, {@code inet_service} 2 big-endian; nft's
 * concat datatype), verdict data for maps ({@code goto}/{@code jump CHAIN}, {@code drop},
 * {@code accept}) and a comment as {@code NFTNL_UDATA_SET_ELEM_COMMENT} userdata, as nft 1.0.6
 * sends them.
 */
final class ElementEncoder {
    /** Key layout per container, from {@code NftablesRenderer.baseLines}. */
    private enum Key { IP, IP_PROTO_PORT, PROTO_PORT }

    private static final Map<String, Key> KEYS = Map.of(
            "cluster-ips", Key.IP,
            "nodeport-ips", Key.IP,
            "service-ips", Key.IP_PROTO_PORT,
            "no-endpoint-services", Key.IP_PROTO_PORT,
            "firewall-ips", Key.IP_PROTO_PORT,
            "service-nodeports", Key.PROTO_PORT,
            "no-endpoint-nodeports", Key.PROTO_PORT);
    private static final int NFTNL_UDATA_SET_ELEM_COMMENT = 0;

    private ElementEncoder() {
    }

    /** Whether the container is a verdict map (else a plain set). */
    static boolean isMap(String container) {
        return KEYS.get(container) != Key.IP;
    }

    /** The key bytes of {@code e}, or empty when its container or a key part is not supported. */
    static Optional<byte[]> key(NftElement e) {
        Key layout = KEYS.get(e.container());
        if (layout == null) {
            return Optional.empty();
        }
        List<String> k = e.key();
        byte[] out;
        switch (layout) {
            case IP -> {
                if (k.size() != 1) {
                    return Optional.empty();
                }
                out = RuleParser.ipv4(k.get(0));
            }
            case IP_PROTO_PORT -> {
                if (k.size() != 3) {
                    return Optional.empty();
                }
                byte[] ip = RuleParser.ipv4(k.get(0));
                byte[] pp = protoPort(k.get(1), k.get(2));
                if (ip == null || pp == null) {
                    return Optional.empty();
                }
                out = new byte[12];
                System.arraycopy(ip, 0, out, 0, 4);
                System.arraycopy(pp, 0, out, 4, 8);
            }
            case PROTO_PORT -> out = k.size() == 2 ? protoPort(k.get(0), k.get(1)) : null;
            default -> out = null;
        }
        return Optional.ofNullable(out);
    }

    /**
     * Writes one element (key, verdict data for maps, comment) as list entry {@code index}; false
     * (nothing written that matters: the caller discards the batch) when not supported.
     */
    static boolean write(NlMessageBuilder b, int index, NftElement e, boolean withData) {
        Optional<byte[]> key = key(e);
        if (key.isEmpty()) {
            return false;
        }
        int entry = b.beginNested(index);
        int k = b.beginNested(NFTA_SET_ELEM_KEY);
        b.bytes(NFTA_DATA_VALUE, key.get());
        b.endNested(k);
        if (withData) {
            if (isMap(e.container()) != e.value().isPresent()) {
                return false;
            }
            if (e.value().isPresent()) {
                String[] v = e.value().get().split(" ");
                int d = b.beginNested(NFTA_SET_ELEM_DATA);
                if (v.length == 2 && (v[0].equals("goto") || v[0].equals("jump"))) {
                    NftExpressions.verdict(b, v[0].equals("goto") ? NFT_GOTO : NFT_JUMP, v[1]);
                } else if (v.length == 1 && v[0].equals("drop")) {
                    NftExpressions.verdict(b, NF_DROP, null);
                } else if (v.length == 1 && v[0].equals("accept")) {
                    NftExpressions.verdict(b, NF_ACCEPT, null);
                } else {
                    return false;
                }
                b.endNested(d);
            }
            if (e.comment().isPresent()) {
                byte[] text = e.comment().get().getBytes(StandardCharsets.UTF_8);
                if (text.length > 253 || e.comment().get().indexOf('"') >= 0) {
                    return false;
                }
                byte[] udata = new byte[text.length + 3];
                udata[0] = NFTNL_UDATA_SET_ELEM_COMMENT;
                udata[1] = (byte) (text.length + 1);
                System.arraycopy(text, 0, udata, 2, text.length);
                b.bytes(NFTA_SET_ELEM_USERDATA, udata);
            }
        }
        b.endNested(entry);
        return true;
    }

    private static byte[] protoPort(String proto, String port) {
        int p = RuleParser.protocol(proto);
        if (p < 0 || port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
            return null;
        }
        int n = Integer.parseInt(port);
        if (n > 65535) {
            return null;
        }
        return new byte[] {(byte) p, 0, 0, 0, (byte) (n >>> 8), (byte) n, 0, 0};
    }
}
