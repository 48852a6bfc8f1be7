package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

/**
 * Path matching of the Ingress v1 API (networking.k8s.io/v1 {@code HTTPIngressPath.pathType}; the
 * examples table in kubernetes.io/docs/concepts/services-networking/ingress/#examples).
 *
 * <ul>
 *   <li>{@code Exact}: the request path equals the rule path, case-sensitively ({@code /foo}
 *       does not match {@code /foo/} and vice versa).</li>
 *   <li>{@code Prefix} (and {@code ImplementationSpecific}): both paths are split by {@code /}
 *       ignoring empty elements, so a trailing slash on either side does not matter; the rule's
 *       elements must equal the request's first elements one by one ({@code /aaa/bbb} matches
 *       {@code /aaa/bbb/ccc} but not {@code /aaa/bbbxyz}); {@code /} matches every path.</li>
 * </ul>
 */
public final class PathMatching {
    private PathMatching() {
    }

    /**
     * @param type        the rule's path type
     * @param rulePath    the rule's path, starting with {@code /}
     * @param requestPath the request's path without query, starting with {@code /}
     */
    public static boolean matches(PathType type, String rulePath, String requestPath) {
        requireNonNull(type, "type");
        requireNonNull(rulePath, "rulePath");
        requireNonNull(requestPath, "requestPath");
        if (type.exact()) {
            return rulePath.equals(requestPath);
        }
        return prefixMatches(rulePath, requestPath);
    }

    private static boolean prefixMatches(String rule, String request) {
        int r = 0;
        int q = 0;
        int rn = rule.length();
        int qn = request.length();
        while (true) {
            while (r < rn && rule.charAt(r) == '/') {
                r++;
            }
            while (q < qn && request.charAt(q) == '/') {
                q++;
            }
            if (r == rn) {
                return true;
            }
            if (q == qn) {
                return false;
            }
            int re = rule.indexOf('/', r);
            re = re < 0 ? rn : re;
            int qe = request.indexOf('/', q);
            qe = qe < 0 ? qn : qe;
            if (re - r != qe - q || !rule.regionMatches(r, request, q, re - r)) {
                return false;
            }
            r = re;
            q = qe;
        }
    }

    /**
     * The length used for precedence: the rule path without trailing slashes for prefix rules (so
     * {@code /foo/} and {@code /foo} rank the same), the whole path for exact rules.
     */
    public static int precedenceLength(PathType type, String rulePath) {
        if (type.exact()) {
            return rulePath.length();
        }
        int end = rulePath.length();
        while (end > 1 && rulePath.charAt(end - 1) == '/') {
            end--;
        }
        return end;
    }
}
