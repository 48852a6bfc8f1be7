package dev.junction.ingress;

import java.util.Locale;

/**
 * Host matching of the Ingress v1 API ({@code IngressRule.host}): an exact name matches the
 * request's host case-insensitively; a wildcard {@code *.foo.com} matches exactly one more label
 * ({@code bar.foo.com}, not {@code baz.bar.foo.com} and not {@code foo.com}); an empty host
 * matches every request. The request host is the {@code Host} header (or HTTP/2
 * {@code :authority}) without the port.
 */
public final class HostMatching {
    private HostMatching() {
    }

    /** Whether {@code ruleHost} (lowercase, may be {@code *.…} or empty) matches {@code host}. */
    public static boolean matches(String ruleHost, String host) {
        if (ruleHost.isEmpty()) {
            return true;
        }
        String h = normalize(host);
        if (ruleHost.startsWith("*.")) {
            String suffix = ruleHost.substring(1);
            return h.length() > suffix.length() && h.endsWith(suffix)
                    && h.indexOf('.') == h.length() - suffix.length();
        }
        return ruleHost.equals(h);
    }

    /**
     * The wildcard key of a request host: {@code bar.foo.com} → {@code *.foo.com}; empty when the
     * host has no dot.
     */
    public static String wildcardOf(String normalizedHost) {
        int dot = normalizedHost.indexOf('.');
        return dot <= 0 ? "" : "*" + normalizedHost.substring(dot);
    }

    /**
     * A request's {@code Host} value lowercased without port and trailing dot:
     * {@code Foo.COM:8080} → {@code foo.com}, {@code [::1]:80} → {@code [::1]}.
     */
    public static String normalize(String hostHeader) {
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end < 0 ? h : h.substring(0, end + 1);
        } else {
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                h = h.substring(0, colon);
            }
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.toLowerCase(Locale.ROOT);
    }
}
