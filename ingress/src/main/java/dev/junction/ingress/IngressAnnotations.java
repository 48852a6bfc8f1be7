package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ingress-nginx annotations ({@code nginx.ingress.kubernetes.io/…}) this controller honours,
 * parsed from one Ingress, with ingress-nginx's defaults (kubernetes/ingress-nginx
 * {@code docs/user-guide/nginx-configuration/annotations.md} and {@code internal/ingress/annotations/}):
 *
 * <ul>
 *   <li>{@code rewrite-target} (with {@code $1…} capture groups); {@code use-regex} makes paths
 *       case-insensitive regular expressions anchored at the start; a rewrite-target implies it.</li>
 *   <li>{@code ssl-redirect} (default true: plain HTTP to a host with TLS → 308),
 *       {@code force-ssl-redirect} (redirect even without TLS for the host).</li>
 *   <li>{@code backend-protocol} HTTP, HTTPS, GRPC.</li>
 *   <li>{@code affinity: cookie} with {@code session-cookie-name} (default {@code INGRESSCOOKIE}).</li>
 *   <li>{@code canary}, {@code canary-weight} (0-100), {@code canary-by-header},
 *       {@code canary-by-header-value}.</li>
 *   <li>{@code proxy-body-size} (nginx size: {@code 8m}, {@code 512k}, {@code 0} = unlimited;
 *       default 1m).</li>
 *   <li>{@code whitelist-source-range} / {@code allowlist-source-range}: comma-separated CIDRs;
 *       other clients get 403.</li>
 *   <li>{@code permanent-redirect} (+ {@code permanent-redirect-code}, default 301).</li>
 * </ul>
 * Any other annotation with the ingress-nginx prefix is listed in {@link #unknown()} so that it is
 * reported, never silently ignored; a malformed value is listed in {@link #errors()} and the
 * annotation falls back to its default.
 */
public record IngressAnnotations(
        Optional<String> rewriteTarget,
        boolean useRegex,
        boolean sslRedirect,
        boolean forceSslRedirect,
        BackendProtocol backendProtocol,
        Optional<String> affinityCookie,
        boolean canary,
        int canaryWeight,
        Optional<String> canaryByHeader,
        Optional<String> canaryByHeaderValue,
        long proxyBodySize,
        List<IPAddress> sourceRanges,
        Optional<String> permanentRedirect,
        int permanentRedirectCode,
        List<String> unknown,
        List<String> errors) {

    /** The ingress-nginx annotation prefix. */
    public static final String PREFIX = "nginx.ingress.kubernetes.io/";
    /** ingress-nginx's default {@code client_max_body_size}: 1 MiB. */
    public static final long DEFAULT_BODY_SIZE = 1024 * 1024;

    private static final Set<String> KNOWN = Set.of("rewrite-target", "use-regex", "ssl-redirect",
            "force-ssl-redirect", "backend-protocol", "affinity", "session-cookie-name", "canary",
            "canary-weight", "canary-by-header", "canary-by-header-value", "proxy-body-size",
            "whitelist-source-range", "allowlist-source-range", "permanent-redirect", "permanent-redirect-code");

    /** Defaults: no annotation given. */
    public static final IngressAnnotations DEFAULTS = parse(Map.of());

    public IngressAnnotations {
        requireNonNull(rewriteTarget, "rewriteTarget");
        requireNonNull(backendProtocol, "backendProtocol");
        requireNonNull(affinityCookie, "affinityCookie");
        requireNonNull(canaryByHeader, "canaryByHeader");
        requireNonNull(canaryByHeaderValue, "canaryByHeaderValue");
        sourceRanges = List.copyOf(sourceRanges);
        requireNonNull(permanentRedirect, "permanentRedirect");
        unknown = List.copyOf(unknown);
        errors = List.copyOf(errors);
    }

    /** Parses an Ingress's {@code metadata.annotations}; never throws. */
    public static IngressAnnotations parse(Map<String, String> annotations) {
        requireNonNull(annotations, "annotations");
        List<String> unknown = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String key : new TreeSet<>(annotations.keySet())) {
            if (key.startsWith(PREFIX) && !KNOWN.contains(key.substring(PREFIX.length()))) {
                unknown.add(key);
            }
        }
        Optional<String> rewrite = get(annotations, "rewrite-target");
        boolean useRegex = bool(annotations, "use-regex", false, errors) || rewrite.isPresent();
        boolean sslRedirect = bool(annotations, "ssl-redirect", true, errors);
        boolean force = bool(annotations, "force-ssl-redirect", false, errors);
        BackendProtocol protocol = BackendProtocol.HTTP;
        Optional<String> bp = get(annotations, "backend-protocol");
        if (bp.isPresent()) {
            try {
                protocol = BackendProtocol.parse(bp.get());
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        Optional<String> affinity = Optional.empty();
        Optional<String> aff = get(annotations, "affinity");
        if (aff.isPresent()) {
            if ("cookie".equals(aff.get().trim())) {
                affinity = Optional.of(get(annotations, "session-cookie-name").orElse("INGRESSCOOKIE"));
            } else {
                errors.add("affinity: " + aff.get() + " (expected: cookie)");
            }
        }
        boolean canary = bool(annotations, "canary", false, errors);
        int weight = 0;
        Optional<String> w = get(annotations, "canary-weight");
        if (w.isPresent()) {
            try {
                weight = Integer.parseInt(w.get().trim());
                if (weight < 0 || weight > 100) {
                    errors.add("canary-weight: " + w.get() + " (expected: 0-100)");
                    weight = 0;
                }
            } catch (NumberFormatException e) {
                errors.add("canary-weight: " + w.get() + " (expected: 0-100)");
            }
        }
        long bodySize = DEFAULT_BODY_SIZE;
        Optional<String> bs = get(annotations, "proxy-body-size");
        if (bs.isPresent()) {
            try {
                bodySize = parseSize(bs.get());
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        List<IPAddress> ranges = new ArrayList<>();
        Optional<String> sr = get(annotations, "allowlist-source-range").or(() -> get(annotations, "whitelist-source-range"));
        if (sr.isPresent()) {
            for (String cidr : sr.get().split(",")) {
                if (cidr.isBlank()) {
                    continue;
                }
                IPAddress a = new IPAddressString(cidr.trim()).getAddress();
                if (a == null) {
                    errors.add("whitelist-source-range: " + cidr.trim() + " (expected: an IP address or CIDR)");
                } else {
                    ranges.add(a.toPrefixBlock());
                }
            }
        }
        int code = 301;
        Optional<String> rc = get(annotations, "permanent-redirect-code");
        if (rc.isPresent()) {
            try {
                code = Integer.parseInt(rc.get().trim());
                if (code < 300 || code > 308) {
                    errors.add("permanent-redirect-code: " + rc.get() + " (expected: 300-308)");
                    code = 301;
                }
            } catch (NumberFormatException e) {
                errors.add("permanent-redirect-code: " + rc.get() + " (expected: 300-308)");
            }
        }
        return new IngressAnnotations(rewrite, useRegex, sslRedirect, force, protocol, affinity, canary, weight,
                get(annotations, "canary-by-header"), get(annotations, "canary-by-header-value"), bodySize, ranges,
                get(annotations, "permanent-redirect"), code, unknown, errors);
    }

    /**
     * Parses an nginx size: bytes, or a number with {@code k}/{@code m}/{@code g} (binary units).
     *
     * @return bytes; 0 means unlimited
     * @throws IllegalArgumentException when malformed
     */
    public static long parseSize(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("k")) {
            unit = 1024;
        } else if (v.endsWith("m")) {
            unit = 1024 * 1024;
        } else if (v.endsWith("g")) {
            unit = 1024L * 1024 * 1024;
        }
        String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("proxy-body-size: " + value + " (expected: a size such as 8m, 512k or 0)");
        }
    }

    /** Whether {@code client} may use routes of this Ingress (no ranges: everyone). */
    public boolean allows(IPAddress client) {
        if (sourceRanges.isEmpty()) {
            return true;
        }
        for (IPAddress range : sourceRanges) {
            if (range.contains(client)) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> get(Map<String, String> a, String name) {
        return Optional.ofNullable(a.get(PREFIX + name));
    }

    private static boolean bool(Map<String, String> a, String name, boolean dflt, List<String> errors) {
        String v = a.get(PREFIX + name);
        if (v == null) {
            return dflt;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                errors.add(name + ": " + v + " (expected: true or false)");
                yield dflt;
            }
        };
    }
}
