package dev.junction.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.util.Optional;

/** Pod state predicates as upstream {@code pkg/api/v1/pod/util.go} and {@code pkg/controller/controller_utils.go}. */
final class Pods {
    private Pods() {
    }

    /** Phase Succeeded or Failed. */
    static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** deletionTimestamp is set. */
    static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    /** Neither terminal nor terminating ({@code controller.IsPodActive}). */
    static boolean isActive(Pod pod) {
        return !isTerminal(pod) && !isTerminating(pod);
    }

    static Optional<PodCondition> condition(Pod pod, String type) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** Condition Ready is True. */
    static boolean isReady(Pod pod) {
        return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** Ready for at least {@code minReadySeconds} at {@code now} ({@code podutil.IsPodAvailable}). */
    static boolean isAvailable(Pod pod, int minReadySeconds, Instant now) {
        if (!isReady(pod)) {
            return false;
        }
        if (minReadySeconds <= 0) {
            return true;
        }
        String since = condition(pod, "Ready").map(PodCondition::getLastTransitionTime).orElse(null);
        if (since == null) {
            return false;
        }
        try {
            return !Instant.parse(since).plusSeconds(minReadySeconds).isAfter(now);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The first IPv4 pod IP ({@code status.podIPs}, else {@code status.podIP}). */
    static Optional<String> ipv4(Pod pod) {
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        if (pod.getStatus().getPodIPs() != null) {
            for (var ip : pod.getStatus().getPodIPs()) {
                if (ip.getIp() != null && !ip.getIp().contains(":")) {
                    return Optional.of(ip.getIp());
                }
            }
        }
        String ip = pod.getStatus().getPodIP();
        return ip != null && !ip.isEmpty() && !ip.contains(":") ? Optional.of(ip) : Optional.empty();
    }

    static Instant created(Pod pod) {
        String ts = pod.getMetadata().getCreationTimestamp();
        try {
            return ts == null ? Instant.now() : Instant.parse(ts);
        } catch (RuntimeException e) {
            return Instant.now();
        }
    }
}
