package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * Decides what to do with one request given the current {@link RouteTable}: a pure function of the
 * table and the request's host, URI, scheme, client address and headers. The order of checks
 * follows ingress-nginx's generated location: {@code permanent-redirect}, then the source-range
 * allowlist (403), then {@code ssl-redirect}/{@code force-ssl-redirect} (308 to https), then the
 * canary choice, then {@code rewrite-target}.
 */
public final class Router {
    private Router() {
    }

    /** The outcome for one request. */
    public sealed interface Decision permits Respond, Forward {
    }

    /**
     * Answer locally.
     *
     * @param status   HTTP status
     * @param location the {@code Location} of a redirect, if any
     * @param route    the matched rule, if any (for metrics)
     */
    public record Respond(int status, Optional<String> location, Optional<Route> route) implements Decision {
        public Respond {
            requireNonNull(location, "location");
            requireNonNull(route, "route");
        }
    }

    /**
     * Proxy to an endpoint of {@code upstream}.
     *
     * @param route    the matched rule
     * @param upstream the main or the canary backend
     * @param uri      the request-target to send (rewritten or unchanged)
     */
    public record Forward(Route route, Upstream upstream, String uri) implements Decision {
        public Forward {
            requireNonNull(route, "route");
            requireNonNull(upstream, "upstream");
            requireNonNull(uri, "uri");
        }
    }

    /**
     * @param table    the current routes
     * @param host     the Host header value (port allowed)
     * @param uri      the request-target ({@code /path?query})
     * @param https    whether the request came over TLS
     * @param clientIp the client's address (after PROXY protocol, if enabled)
     * @param header   looks up a request header by name
     */
    public static Decision route(RouteTable table, String host, String uri, boolean https, String clientIp,
            Function<String, Optional<String>> header) {
        String normalized = HostMatching.normalize(host);
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (path.isEmpty() || path.charAt(0) != '/') {
            path = "/" + path;
        }
        Optional<Route> found = table.lookup(normalized, path);
        if (found.isEmpty()) {
            return new Respond(404, Optional.empty(), Optional.empty());
        }
        Route route = found.get();
        IngressAnnotations a = route.annotations();
        if (a.permanentRedirect().isPresent()) {
            return new Respond(a.permanentRedirectCode(), a.permanentRedirect(), found);
        }
        if (!a.sourceRanges().isEmpty()) {
            IPAddress client = new IPAddressString(clientIp).getAddress();
            if (client == null || !a.allows(client)) {
                return new Respond(403, Optional.empty(), found);
            }
        }
        if (!https && (a.forceSslRedirect() || (a.sslRedirect() && route.tls()))) {
            String h = host.isEmpty() ? normalized : HostMatching.normalize(host);
            return new Respond(308, Optional.of("https://" + h + uri), found);
        }
        Upstream upstream = route.upstream();
        IngressAnnotations effective = a;
        if (route.canary().isPresent() && useCanary(route.canary().get().annotations(), header)) {
            upstream = route.canary().get().upstream();
            effective = route.canary().get().annotations();
        }
        String target = uri;
        if (effective.rewriteTarget().isPresent() && route.regex().isPresent()) {
            Matcher m = route.regex().get().matcher(path);
            if (m.lookingAt()) {
                target = expand(effective.rewriteTarget().get(), m);
                if (q >= 0 && !target.contains("?")) {
                    target = target + uri.substring(q);
                }
            }
        }
        return new Forward(route, upstream, target);
    }

    /** ingress-nginx canary order: by-header ("always"/"never" or the configured value), then weight. */
    static boolean useCanary(IngressAnnotations canary, Function<String, Optional<String>> header) {
        if (canary.canaryByHeader().isPresent()) {
            Optional<String> v = header.apply(canary.canaryByHeader().get());
            if (v.isPresent()) {
                if (canary.canaryByHeaderValue().isPresent()) {
                    if (canary.canaryByHeaderValue().get().equals(v.get())) {
                        return true;
                    }
                } else if ("always".equals(v.get())) {
                    return true;
                } else if ("never".equals(v.get())) {
                    return false;
                }
            }
        }
        int w = canary.canaryWeight();
        return w >= 100 || (w > 0 && ThreadLocalRandom.current().nextInt(100) < w);
    }

    /** Substitutes {@code $1…$9} (nginx rewrite syntax) with the groups of {@code m}. */
    static String expand(String target, Matcher m) {
        StringBuilder out = new StringBuilder(target.length() + 16);
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '$' && i + 1 < target.length() && Character.isDigit(target.charAt(i + 1))) {
                int g = target.charAt(++i) - '0';
                if (g <= m.groupCount() && m.group(g) != null) {
                    out.append(m.group(g));
                }
            } else {
                out.append(c);
            }
        }
        String s = out.toString();
        return s.startsWith("/") || s.startsWith("http") ? s : "/" + s;
    }
}
