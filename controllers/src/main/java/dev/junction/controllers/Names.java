package dev.junction.controllers;

import java.security.SecureRandom;

/**
 * Random name suffixes as upstream apiserver {@code names.SimpleNameGenerator}: five characters from
 * the alphabet {@code bcdfghjklmnpqrstvwxz2456789} (apimachinery {@code util/rand}, no vowels so no
 * words), appended to a {@code generateName} prefix truncated to 58 characters.
 */
final class Names {
    static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {
    }

    /** {@code prefix} (at most 58 chars kept) followed by 5 random characters. */
    static String generate(String prefix) {
        String base = prefix.length() > 58 ? prefix.substring(0, 58) : prefix;
        StringBuilder out = new StringBuilder(base);
        for (int i = 0; i < 5; i++) {
            out.append(ALPHANUMS.charAt(RANDOM.nextInt(ALPHANUMS.length())));
        }
        return out.toString();
    }

    /** apimachinery {@code rand.SafeEncodeString}: each byte mapped into {@link #ALPHANUMS}. */
    static String safeEncode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            out.append(ALPHANUMS.charAt((b & 0xff) % ALPHANUMS.length()));
        }
        return out.toString();
    }
}
