package dev.junction.ingress;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level helpers shared by the lean path's head parsers ({@link RequestHead},
 * {@link ResponseHead}): field names are case-insensitive US-ASCII tokens (RFC 9110 §5.1), so they
 * are compared on the raw bytes against lower-case constants without decoding a {@code String}.
 */
final class AsciiBytes {
    private AsciiBytes() {
    }

    /** {@code s} as US-ASCII bytes (for the lower-case constants the parsers compare with). */
    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Whether {@code b[s, e)} equals {@code lower} when its ASCII letters are lower-cased.
     *
     * @param lower a lower-case ASCII constant, e.g. {@code ascii("content-length")}
     */
    static boolean equalsLower(byte[] b, int s, int e, byte[] lower) {
        if (e - s != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            int c = b[s + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower[i]) {
                return false;
            }
        }
        return true;
    }
}
