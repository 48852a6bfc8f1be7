package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Accumulates EndpointSlice changes between two syncs, like upstream {@code EndpointsChangeTracker}
 * and its {@code EndpointSliceCache} (kubernetes pkg/proxy/endpointschangetracker.go,
 * endpointslicecache.go). Slices are grouped by their {@code kubernetes.io/service-name} label and
 * merged per Service port; duplicate {@code ip:port} entries across slices collapse (a ready one
 * wins), lists are sorted by {@code ip:port}. A change that leaves a Service's merged endpoints as
 * they were at the last sync is dropped.
 *
 * <p>Only IPv4 slices are tracked (Junction proxies IPv4 single-stack). Thread-safe.
 */
public final class EndpointsChangeTracker {
    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /**
     * Merged endpoints of one Service before and after the pending changes.
     *
     * @param previous endpoints per port as of the last sync
     * @param current  endpoints per port now
     */
    public record Change(Map<ServicePortName, List<EndpointInfo>> previous, Map<ServicePortName, List<EndpointInfo>> current) {
        public Change {
            previous = Map.copyOf(previous);
            current = Map.copyOf(current);
        }
    }

    private final String nodeName;
    /** service → slice name → parsed slice. */
    private final Map<NamespacedName, Map<String, Map<ServicePortName, List<EndpointInfo>>>> slices = new HashMap<>();
    /** service → merged endpoints as of the last checkout. */
    private final Map<NamespacedName, Map<ServicePortName, List<EndpointInfo>>> applied = new HashMap<>();
    private final Set<NamespacedName> pending = new LinkedHashSet<>();
    /** service → last-change-trigger-time annotations of pending changes (upstream {@code lastChangeTriggerTimes}). */
    private final Map<NamespacedName, List<Trigger>> triggerTimes = new HashMap<>();
    private final Instant trackerStart;

    /** The annotation the EndpointSlice controller stamps with the time of the change that triggered the write. */
    public static final String LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

    /** @param nodeName this proxy's Node name; endpoints with that {@code nodeName} are local */
    public EndpointsChangeTracker(String nodeName) {
        this.nodeName = requireNonNull(nodeName, "nodeName");
        this.trackerStart = Instant.now();
    }

    /**
     * The trigger times (from {@link #LAST_CHANGE_TRIGGER_TIME}) of the changes handed out by the
     * last {@link #checkout()}s, cleared by this call (upstream {@code checkoutTriggerTimes}): after a
     * successful sync each one gives a sample of {@code kubeproxy_network_programming_duration_seconds}.
     * Times before this tracker started (the initial list) are ignored, as upstream does.
     */
    public synchronized List<Instant> checkoutTriggerTimes() {
        return checkoutTriggers().stream().map(Trigger::triggered).toList();
    }

    /**
     * As {@link #checkoutTriggerTimes()}, with the time each change reached this tracker (for the
     * split of network programming latency into watch delay and sync delay).
     */
    public synchronized List<Trigger> checkoutTriggers() {
        List<Trigger> out = new ArrayList<>();
        triggerTimes.values().forEach(out::addAll);
        triggerTimes.clear();
        return out;
    }

    /**
     * One change's times.
     *
     * @param triggered its {@link #LAST_CHANGE_TRIGGER_TIME} annotation
     * @param received  when {@link #onSliceUpdate} recorded it (this JVM's clock)
     */
    public record Trigger(Instant triggered, Instant received) {
        public Trigger {
            requireNonNull(triggered, "triggered");
            requireNonNull(received, "received");
        }
    }

    /**
     * Records an added, modified ({@code removed == false}) or deleted ({@code removed == true}) slice.
     *
     * @return true when the Service's merged endpoints changed by this call
     */
    public synchronized boolean onSliceUpdate(EndpointSlice slice, boolean removed) {
        requireNonNull(slice, "slice");
        Optional<NamespacedName> service = serviceOf(slice);
        if (service.isEmpty() || (!removed && !"IPv4".equals(slice.getAddressType()))) {
            return false;
        }
        NamespacedName key = service.get();
        Map<ServicePortName, List<EndpointInfo>> before = merged(key);
        Map<String, Map<ServicePortName, List<EndpointInfo>>> bySlice = slices.computeIfAbsent(key, k -> new TreeMap<>());
        if (removed) {
            bySlice.remove(slice.getMetadata().getName());
        } else {
            bySlice.put(slice.getMetadata().getName(), parse(key, slice));
        }
        if (bySlice.isEmpty()) {
            slices.remove(key);
        }
        Map<ServicePortName, List<EndpointInfo>> after = merged(key);
        if (after.equals(applied.getOrDefault(key, Map.of()))) {
            pending.remove(key);
        } else {
            pending.add(key);
        }
        boolean changed = !before.equals(after);
        if (changed) {
            // A deleted slice's annotation dates from its last update, not from this change: ignored.
            if (removed) {
                triggerTimes.remove(key);
            } else {
                lastChangeTriggerTime(slice).filter(t -> t.isAfter(trackerStart))
                        .ifPresent(t -> triggerTimes.computeIfAbsent(key, k -> new ArrayList<>()).add(new Trigger(t, Instant.now())));
            }
        }
        return changed;
    }

    /** True when changes are waiting for {@link #checkout()}. */
    public synchronized boolean hasPending() {
        return !pending.isEmpty();
    }

    private static Optional<Instant> lastChangeTriggerTime(EndpointSlice slice) {
        Map<String, String> annotations = slice.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(LAST_CHANGE_TRIGGER_TIME);
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Returns the Services whose merged endpoints changed since the last checkout, and starts afresh. */
    public synchronized Map<NamespacedName, Change> checkout() {
        Map<NamespacedName, Change> out = new LinkedHashMap<>();
        for (NamespacedName key : pending) {
            Map<ServicePortName, List<EndpointInfo>> current = merged(key);
            out.put(key, new Change(applied.getOrDefault(key, Map.of()), current));
            if (current.isEmpty()) {
                applied.remove(key);
            } else {
                applied.put(key, current);
            }
        }
        pending.clear();
        return Map.copyOf(out);
    }

    private Map<ServicePortName, List<EndpointInfo>> merged(NamespacedName key) {
        Map<String, Map<ServicePortName, List<EndpointInfo>>> bySlice = slices.getOrDefault(key, Map.of());
        Map<ServicePortName, Map<String, EndpointInfo>> byPort = new TreeMap<>();
        for (Map<ServicePortName, List<EndpointInfo>> parsed : bySlice.values()) {
            parsed.forEach((port, endpoints) -> {
                Map<String, EndpointInfo> set = byPort.computeIfAbsent(port, p -> new TreeMap<>());
                for (EndpointInfo endpoint : endpoints) {
                    set.merge(endpoint.endpoint(), endpoint, (old, neu) -> neu.ready() ? neu : old);
                }
            });
        }
        Map<ServicePortName, List<EndpointInfo>> out = new TreeMap<>();
        byPort.forEach((port, set) -> {
            if (!set.isEmpty()) {
                out.put(port, List.copyOf(set.values()));
            }
        });
        return out;
    }

    private Map<ServicePortName, List<EndpointInfo>> parse(NamespacedName service, EndpointSlice slice) {
        Map<ServicePortName, List<EndpointInfo>> out = new TreeMap<>();
        List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
        List<Endpoint> endpoints = slice.getEndpoints() == null ? List.of() : slice.getEndpoints();
        for (EndpointPort port : ports) {
            if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65_535) {
                continue;
            }
            ServicePortName name = new ServicePortName(service.namespace(), service.name(),
                    port.getName() == null ? "" : port.getName(), Protocol.parse(port.getProtocol()));
            List<EndpointInfo> list = new ArrayList<>();
            for (Endpoint endpoint : endpoints) {
                if (endpoint.getAddresses() == null || endpoint.getAddresses().isEmpty()
                        || !ServicePortInfo.isIPv4(endpoint.getAddresses().get(0))) {
                    continue;
                }
                var conditions = endpoint.getConditions();
                boolean ready = conditions == null || conditions.getReady() == null || conditions.getReady();
                boolean serving = conditions == null || conditions.getServing() == null ? ready : conditions.getServing();
                boolean terminating = conditions != null && Boolean.TRUE.equals(conditions.getTerminating());
                Optional<String> node = Optional.ofNullable(endpoint.getNodeName());
                list.add(new EndpointInfo(endpoint.getAddresses().get(0), port.getPort(), ready, serving, terminating,
                        node, node.filter(nodeName::equals).isPresent()));
            }
            out.merge(name, list, (a, b) -> {
                List<EndpointInfo> all = new ArrayList<>(a);
                all.addAll(b);
                return all;
            });
        }
        return out;
    }

    private static Optional<NamespacedName> serviceOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        if (service == null || service.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new NamespacedName(slice.getMetadata().getNamespace(), service));
    }
}
