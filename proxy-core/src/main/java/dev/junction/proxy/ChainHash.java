package dev.junction.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash kube-proxy puts in chain names: the first {@code chars} characters of the base32
 * (RFC 4648 alphabet, no padding) encoding of SHA-256 of a string. iptables mode uses 16
 * ({@code portProtoHash}, {@code servicePortEndpointChainName} in pkg/proxy/iptables/proxier.go),
 * nftables mode 8 ({@code hashAndTruncate} in pkg/proxy/nftables/proxier.go).
 */
public final class ChainHash {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private ChainHash() {
    }

    /**
     * @param input the string to hash (UTF-8)
     * @param chars how many base32 characters to keep, a multiple of 8 from 8 to 48
     * @return {@code chars} characters from {@code A-Z2-7}
     * @throws IllegalArgumentException for another {@code chars}
     */
    public static String base32Sha256(String input, int chars) {
        if (chars < 8 || chars > 48 || chars % 8 != 0) {
            throw new IllegalArgumentException("chars: " + chars + " (expected: a multiple of 8 from 8 to 48)");
        }
        byte[] hash = SHA256.get().digest(input.getBytes(StandardCharsets.UTF_8));
        // Every 5 bytes are exactly 8 base32 characters, so no padding is involved.
        StringBuilder out = new StringBuilder(chars);
        for (int group = 0; group < chars / 8; group++) {
            long bits = 0;
            for (int i = 0; i < 5; i++) {
                bits = (bits << 8) | (hash[group * 5 + i] & 0xff);
            }
            for (int i = 7; i >= 0; i--) {
                out.append(BASE32[(int) (bits >> (i * 5)) & 31]);
            }
        }
        return out.toString();
    }
}
