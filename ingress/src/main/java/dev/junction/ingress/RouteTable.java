package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The immutable routing snapshot: rules grouped by host, each group already in precedence order,
 * plus the default backend. A new table is built on every change and swapped in atomically
 * ({@link RouteTableHolder}); requests in flight keep the table they started with.
 *
 * <p>Lookup (Ingress v1 semantics, host selection as in ingress-nginx's server blocks): the group
 * of the exact host is used if it exists, else the group of the wildcard one label up
 * ({@code bar.foo.com} → {@code *.foo.com}), else the group of rules without host. Within the
 * group the first matching rule wins; the order is longest path first, then {@code Exact} before
 * {@code Prefix}, then the older Ingress (see {@link RouteTableBuilder}). No match → the default
 * backend ({@code spec.defaultBackend} of the oldest Ingress that has one), else 404.
 *
 * @param hosts          host ({@code ""} for rules without host) → rules in precedence order
 * @param defaultBackend the default backend route, if any Ingress defines one
 */
public record RouteTable(Map<String, List<Route>> hosts, Optional<Route> defaultBackend, long generation) {

    /** The table before the first sync: nothing routes. */
    public static final RouteTable EMPTY = new RouteTable(Map.of(), Optional.empty(), 0);

    public RouteTable {
        hosts = Map.copyOf(hosts);
        requireNonNull(defaultBackend, "defaultBackend");
    }

    /**
     * The rule for a request.
     *
     * @param host a normalised host ({@link HostMatching#normalize})
     * @param path the request path without query
     * @return the matching rule or the default backend; empty means 404
     */
    public Optional<Route> lookup(String host, String path) {
        List<Route> group = hosts.get(host);
        if (group == null) {
            group = hosts.get(HostMatching.wildcardOf(host));
        }
        if (group == null) {
            group = hosts.get("");
        }
        if (group != null) {
            for (Route r : group) {
                if (r.matches(path)) {
                    return Optional.of(r);
                }
            }
        }
        return defaultBackend;
    }

    /** Whether rules exist for exactly {@code host} (lowercase; {@code *.foo.com} or empty allowed). */
    public boolean hasHost(String host) {
        return hosts.containsKey(host);
    }
}
