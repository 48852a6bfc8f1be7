package dev.junction.dns;

import java.util.Locale;

/**
 * CoreDNS's {@code pods} option: how {@code <a>-<b>-<c>-<d>.<ns>.pod.<zone>} names (Kubernetes DNS
 * spec 1.1.0 section 2.6, deprecated but required) are answered.
 */
public enum PodsMode {
    /** No pod records: such names are NXDOMAIN (CoreDNS's built-in default). */
    DISABLED,
    /** Any well-formed name answers with the address it spells, without checking (kube-dns behaviour, kubeadm's Corefile). */
    INSECURE,
    /** Only when a Pod with that IP exists in that namespace (needs a Pod informer). */
    VERIFIED;

    /**
     * Parses {@code disabled}, {@code insecure} or {@code verified} (any case).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static PodsMode parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "disabled" -> DISABLED;
            case "insecure" -> INSECURE;
            case "verified" -> VERIFIED;
            default -> throw new IllegalArgumentException("pods: " + text + " (expected: disabled, insecure or verified)");
        };
    }
}
