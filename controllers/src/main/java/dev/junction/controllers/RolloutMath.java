package dev.junction.controllers;

import io.fabric8.kubernetes.api.model.IntOrString;

/**
 * Rolling-update arithmetic of upstream {@code pkg/controller/deployment/util/deployment_util.go}:
 * {@code maxSurge} rounds percentages up, {@code maxUnavailable} rounds down (defaults 25% each), and
 * when both resolve to 0 {@code maxUnavailable} becomes 1 ({@code ResolveFenceposts}).
 */
record RolloutMath(int maxSurge, int maxUnavailable) {

    static RolloutMath resolve(IntOrString maxSurge, IntOrString maxUnavailable, int desired) {
        int surge = scaled(maxSurge == null ? new IntOrString("25%") : maxSurge, desired, true);
        int unavailable = scaled(maxUnavailable == null ? new IntOrString("25%") : maxUnavailable, desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new RolloutMath(surge, unavailable);
    }

    /** {@code intstr.GetScaledValueFromIntOrPercent}. @throws IllegalArgumentException for a malformed value */
    static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String s = value.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException("intOrPercent: " + s + " (expected: an integer or N%)");
        }
        int percent = Integer.parseInt(s.substring(0, s.length() - 1));
        double exact = percent * (double) total / 100.0;
        return (int) (roundUp ? Math.ceil(exact) : Math.floor(exact));
    }

    /** Replicas for the new ReplicaSet ({@code NewRSNewReplicas}): scale up within the surge budget. */
    int newReplicas(int desired, int totalSpecReplicas, int newRsReplicas) {
        int maxTotal = desired + maxSurge;
        if (totalSpecReplicas >= maxTotal) {
            return newRsReplicas;
        }
        int scaleUp = Math.min(maxTotal - totalSpecReplicas, desired - newRsReplicas);
        return newRsReplicas + Math.max(0, scaleUp);
    }
}
