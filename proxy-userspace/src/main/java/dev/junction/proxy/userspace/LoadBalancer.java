package dev.junction.proxy.userspace;

import static java.util.Objects.requireNonNull;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.SessionAffinity;
import java.net.InetAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Endpoint selection for one Service port, like upstream userspace mode's {@code LoadBalancerRR}
 * (kubernetes v1.25 pkg/proxy/userspace/roundrobin.go) generalised to the IPVS schedulers: ClientIP
 * affinity first (a client keeps its endpoint until {@code timeoutSeconds} of inactivity or until
 * a connect to it fails), then the {@link Scheduler}. Tracks active connections for
 * {@link Scheduler#LC}, {@link Scheduler#SED} and {@link Scheduler#NQ}. Thread-safe.
 */
public final class LoadBalancer {
    private final Scheduler scheduler;
    private final Clock clock;
    private List<EndpointInfo> endpoints = List.of();
    private SessionAffinity affinity = SessionAffinity.NONE;
    private int next;
    private final Map<String, Integer> active = new HashMap<>();
    private final Map<InetAddress, Sticky> sticky = new HashMap<>();

    private record Sticky(EndpointInfo endpoint, long lastUsedMillis) {
    }

    /** @param scheduler how new clients are spread; @param clock for affinity timeouts */
    public LoadBalancer(Scheduler scheduler, Clock clock) {
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Replaces the endpoint list (sorted, usable endpoints only) and the affinity setting. */
    public synchronized void update(List<EndpointInfo> endpoints, SessionAffinity affinity) {
        this.endpoints = List.copyOf(endpoints);
        this.affinity = requireNonNull(affinity, "affinity");
        sticky.values().removeIf(s -> !this.endpoints.contains(s.endpoint()));
        if (!affinity.clientIp()) {
            sticky.clear();
        }
        if (next >= this.endpoints.size()) {
            next = 0;
        }
    }

    /**
     * The endpoint for a new connection from {@code client} to {@code service} (upstream
     * {@code NextEndpoint}). Endpoints in {@code failed} (connects that already failed for this
     * connection) are skipped, and a sticky endpoint among them is forgotten, as upstream resets
     * affinity after a failed dial.
     *
     * @return empty when there are no endpoints
     */
    public synchronized Optional<EndpointInfo> next(InetAddress client, InetAddress service, Set<EndpointInfo> failed) {
        requireNonNull(failed, "failed");
        if (endpoints.isEmpty()) {
            return Optional.empty();
        }
        long now = clock.millis();
        if (affinity.clientIp()) {
            Sticky s = sticky.get(client);
            if (s != null && !failed.contains(s.endpoint())
                    && now - s.lastUsedMillis() < affinity.timeoutSeconds() * 1000L) {
                sticky.put(client, new Sticky(s.endpoint(), now));
                return Optional.of(s.endpoint());
            }
        }
        List<EndpointInfo> remaining = endpoints.stream().filter(e -> !failed.contains(e)).toList();
        List<EndpointInfo> candidates = remaining.isEmpty() ? endpoints : remaining;
        EndpointInfo chosen = switch (scheduler) {
            case RR -> {
                EndpointInfo pick = null;
                for (int i = 0; i < endpoints.size() && pick == null; i++) {
                    EndpointInfo e = endpoints.get(next++ % endpoints.size());
                    if (candidates.contains(e)) {
                        pick = e;
                    }
                }
                next %= endpoints.size();
                yield pick == null ? candidates.get(0) : pick;
            }
            case LC, SED -> leastActive(candidates);
            case NQ -> candidates.stream().filter(e -> activeOf(e) == 0).findFirst().orElseGet(() -> leastActive(candidates));
            case DH -> candidates.get(Math.floorMod(hash(service), candidates.size()));
            case SH -> candidates.get(Math.floorMod(hash(client), candidates.size()));
        };
        if (affinity.clientIp()) {
            sticky.put(client, new Sticky(chosen, now));
        }
        return Optional.of(chosen);
    }

    /** Counts a connection to {@code endpoint} as active. */
    public synchronized void connected(EndpointInfo endpoint) {
        active.merge(endpoint.endpoint(), 1, Integer::sum);
    }

    /** Counts a connection to {@code endpoint} as finished. */
    public synchronized void disconnected(EndpointInfo endpoint) {
        active.computeIfPresent(endpoint.endpoint(), (k, v) -> v <= 1 ? null : v - 1);
    }

    /** The active connections of an endpoint. */
    public synchronized int activeOf(EndpointInfo endpoint) {
        return active.getOrDefault(endpoint.endpoint(), 0);
    }

    /** The current endpoints. */
    public synchronized List<EndpointInfo> endpoints() {
        return endpoints;
    }

    private EndpointInfo leastActive(List<EndpointInfo> among) {
        EndpointInfo best = among.get(0);
        for (EndpointInfo e : among) {
            if (activeOf(e) < activeOf(best)) {
                best = e;
            }
        }
        return best;
    }

    private static int hash(InetAddress address) {
        byte[] bytes = address.getAddress();
        int h = 0;
        for (byte b : bytes) {
            h = h * 31 + (b & 0xff);
        }
        // IPVS multiplies by the golden ratio prime before taking the bucket.
        return (int) ((h * 2654435761L) >>> 8);
    }
}
