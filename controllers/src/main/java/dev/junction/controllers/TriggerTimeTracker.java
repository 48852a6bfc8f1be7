package dev.junction.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The time of the change that makes the EndpointSlice controller rewrite a Service's slices, for
 * the {@code endpoints.kubernetes.io/last-change-trigger-time} annotation that kube-proxy turns into
 * {@code kubeproxy_network_programming_duration_seconds}. As upstream
 * {@code staging/src/k8s.io/endpointslice/util/trigger_time_tracker.go}: a pod's trigger time is the
 * {@code lastTransitionTime} of its Ready condition, a Service's is its {@code creationTimestamp};
 * for a Service seen for the first time the answer is its creation time, otherwise the earliest
 * trigger time that advanced since the previous call (empty when none did). Timestamps are
 * RFC 3339 (seconds, or fractions when the writer gave them).
 *
 * <p>One instance per controller; calls for one Service come from one worker at a time.
 */
final class TriggerTimeTracker {
    /** The annotation (upstream {@code v1.EndpointsLastChangeTriggerTime}). */
    static final String ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

    private record State(Map<String, Instant> pods, Instant service) {
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();

    /**
     * @param serviceKey {@code namespace/name}
     * @param service    the Service
     * @param pods       the pods its selector matches now
     * @return the trigger time to stamp on written slices; empty when nothing advanced
     */
    Optional<Instant> compute(String serviceKey, Service service, List<Pod> pods) {
        State previous = states.get(serviceKey);
        Map<String, Instant> podTimes = new HashMap<>();
        Instant min = null;
        for (Pod pod : pods) {
            Optional<Instant> t = podTriggerTime(pod);
            if (t.isPresent()) {
                podTimes.put(pod.getMetadata().getName(), t.get());
                Instant before = previous == null ? null : previous.pods().get(pod.getMetadata().getName());
                if (before == null || t.get().isAfter(before)) {
                    min = min == null || t.get().isBefore(min) ? t.get() : min;
                }
            }
        }
        Instant created = parse(service.getMetadata().getCreationTimestamp()).orElse(Instant.EPOCH);
        if (previous != null && created.isAfter(previous.service())) {
            min = min == null || created.isBefore(min) ? created : min;
        }
        states.put(serviceKey, new State(podTimes, created));
        if (previous == null) {
            return created.equals(Instant.EPOCH) ? Optional.empty() : Optional.of(created);
        }
        return Optional.ofNullable(min);
    }

    /** Forgets a deleted Service (upstream {@code DeleteService}). */
    void forget(String serviceKey) {
        states.remove(serviceKey);
    }

    /** The annotation's value: RFC 3339 with nanoseconds, UTC (Go's {@code time.RFC3339Nano}). */
    static String format(Instant t) {
        return t.toString();
    }

    private static Optional<Instant> podTriggerTime(Pod pod) {
        return Pods.condition(pod, "Ready").map(PodCondition::getLastTransitionTime).flatMap(TriggerTimeTracker::parse);
    }

    private static Optional<Instant> parse(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(rfc3339));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
