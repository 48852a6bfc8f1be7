package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One {@code host + path → Service} rule of an accepted Ingress, with everything needed to serve it.
 *
 * @param host        lowercase host, {@code *.foo.com}, or empty for any host
 * @param path        the rule's path ({@code /} when the Ingress left it empty)
 * @param pathType    how {@code path} matches
 * @param regex       present when the host is in regex mode (ingress-nginx {@code use-regex} or
 *                    {@code rewrite-target}): the path as a case-insensitive pattern anchored at
 *                    the start
 * @param ingress     {@code namespace/name} of the Ingress the rule comes from
 * @param upstream    the resolved Service backend
 * @param canary      the canary backend attached to this rule, if any
 * @param annotations the Ingress's ingress-nginx annotations
 * @param tls         whether the Ingress lists the host under {@code spec.tls} (ssl-redirect applies)
 */
public record Route(String host, String path, PathType pathType, Optional<Pattern> regex, String ingress,
        Upstream upstream, Optional<Canary> canary, IngressAnnotations annotations, boolean tls) {

    public Route {
        requireNonNull(host, "host");
        requireNonNull(path, "path");
        requireNonNull(pathType, "pathType");
        requireNonNull(regex, "regex");
        requireNonNull(ingress, "ingress");
        requireNonNull(upstream, "upstream");
        requireNonNull(canary, "canary");
        requireNonNull(annotations, "annotations");
    }

    /**
     * A canary backend (ingress-nginx {@code canary: "true"} Ingress with the same host and path).
     *
     * @param ingress     the canary Ingress, {@code namespace/name}
     * @param upstream    its backend
     * @param annotations its annotations (weight, header)
     */
    public record Canary(String ingress, Upstream upstream, IngressAnnotations annotations) {
        public Canary {
            requireNonNull(ingress, "ingress");
            requireNonNull(upstream, "upstream");
            requireNonNull(annotations, "annotations");
        }
    }

    /** Whether this rule matches {@code requestPath}. */
    public boolean matches(String requestPath) {
        if (regex.isPresent() && !pathType.exact()) {
            return regex.get().matcher(requestPath).lookingAt();
        }
        return PathMatching.matches(pathType, path, requestPath);
    }

    /** This route with another canary. */
    public Route withCanary(Canary c) {
        return new Route(host, path, pathType, regex, ingress, upstream, Optional.of(c), annotations, tls);
    }
}
