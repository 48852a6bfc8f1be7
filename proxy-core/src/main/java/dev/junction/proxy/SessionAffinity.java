package dev.junction.proxy;

/**
 * {@code spec.sessionAffinity} with its {@code sessionAffinityConfig.clientIP.timeoutSeconds}.
 *
 * @param clientIp       true for {@code ClientIP}, false for {@code None}
 * @param timeoutSeconds stickiness in seconds (1..86400; upstream default 10800); ignored when not clientIp
 */
public record SessionAffinity(boolean clientIp, int timeoutSeconds) {
    /** Upstream's default {@code timeoutSeconds}: 3 hours. */
    public static final int DEFAULT_TIMEOUT_SECONDS = 10_800;
    /** No affinity. */
    public static final SessionAffinity NONE = new SessionAffinity(false, 0);

    public SessionAffinity {
        if (clientIp && (timeoutSeconds < 1 || timeoutSeconds > 86_400)) {
            throw new IllegalArgumentException("timeoutSeconds: " + timeoutSeconds + " (expected: 1..86400)");
        }
    }

    /** ClientIP affinity for {@code timeoutSeconds}. */
    public static SessionAffinity clientIp(int timeoutSeconds) {
        return new SessionAffinity(true, timeoutSeconds);
    }
}
