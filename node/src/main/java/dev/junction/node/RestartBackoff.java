package dev.junction.node;

import java.time.Duration;

/**
 * Container restart back-off as kubelet's {@code CrashLoopBackOff} (kubernetes
 * {@code pkg/kubelet/kubelet.go}: {@code backOffPeriod} 10 s, {@code MaxContainerBackOff} 300 s):
 * the delay before restart {@code n} (1-based) is 10 s × 2^(n-1), at most 5 min.
 */
public final class RestartBackoff {
    /** First delay. */
    public static final Duration INITIAL = Duration.ofSeconds(10);
    /** Upper bound. */
    public static final Duration MAX = Duration.ofMinutes(5);

    private RestartBackoff() {
    }

    /**
     * @param restartCount restarts already done (0 before the first restart)
     * @return the delay before the next restart
     */
    public static Duration delay(int restartCount) {
        if (restartCount < 0) {
            throw new IllegalArgumentException("restartCount: " + restartCount + " (expected: >= 0)");
        }
        if (restartCount >= 5) {
            return MAX;
        }
        Duration d = INITIAL.multipliedBy(1L << restartCount);
        return d.compareTo(MAX) > 0 ? MAX : d;
    }

    /**
     * Whether a container that exited with {@code exitCode} restarts under {@code restartPolicy}
     * ({@code Always} (default), {@code OnFailure}, {@code Never}).
     */
    public static boolean shouldRestart(String restartPolicy, int exitCode) {
        return switch (restartPolicy == null ? "Always" : restartPolicy) {
            case "Never" -> false;
            case "OnFailure" -> exitCode != 0;
            default -> true;
        };
    }
}
