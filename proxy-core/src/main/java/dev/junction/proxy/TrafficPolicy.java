package dev.junction.proxy;

/** {@code spec.externalTrafficPolicy} / {@code spec.internalTrafficPolicy}: which endpoints traffic may reach. */
public enum TrafficPolicy {
    /** Any ready endpoint in the cluster (the default). */
    CLUSTER,
    /** Only endpoints on this node. */
    LOCAL;

    /** Parses an API value; empty or unknown values mean {@link #CLUSTER}, as kube-proxy treats them. */
    public static TrafficPolicy parse(String value) {
        return "Local".equals(value) ? LOCAL : CLUSTER;
    }
}
