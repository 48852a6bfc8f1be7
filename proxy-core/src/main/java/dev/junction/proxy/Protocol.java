package dev.junction.proxy;

import java.util.Locale;

/** A Service port protocol, as in {@code v1.Protocol}; {@link #lower()} is the form iptables and chain hashes use. */
public enum Protocol {
    TCP, UDP, SCTP;

    private final String lower = name().toLowerCase(Locale.ROOT);

    /** {@code "tcp"}, {@code "udp"} or {@code "sctp"}. */
    public String lower() {
        return lower;
    }

    /**
     * Parses an API value; an empty value means TCP, as the API server defaults it.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Protocol parse(String value) {
        if (value == null || value.isEmpty()) {
            return TCP;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("protocol: " + value + " (expected: TCP, UDP or SCTP)", e);
        }
    }
}
