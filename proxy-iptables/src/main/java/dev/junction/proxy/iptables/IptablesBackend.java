package dev.junction.proxy.iptables;

import java.util.Locale;

/**
 * Which iptables binaries the proxier runs: the distribution default ({@code iptables},
 * {@code iptables-restore}, {@code iptables-save}; nf_tables on this host), or explicitly the
 * {@code -nft} or {@code -legacy} variants.
 */
public enum IptablesBackend {
    DEFAULT("iptables"), NFT("iptables-nft"), LEGACY("iptables-legacy");

    private final String binary;

    IptablesBackend(String binary) {
        this.binary = binary;
    }

    /** {@code iptables[-nft|-legacy]}. */
    public String iptables() {
        return binary;
    }

    /** {@code iptables[-nft|-legacy]-restore}. */
    public String restore() {
        return binary + "-restore";
    }

    /** {@code iptables[-nft|-legacy]-save}. */
    public String save() {
        return binary + "-save";
    }

    /**
     * Parses {@code default}, {@code nft} or {@code legacy}.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static IptablesBackend parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("iptables-backend: " + value + " (expected: default, nft or legacy)", e);
        }
    }
}
