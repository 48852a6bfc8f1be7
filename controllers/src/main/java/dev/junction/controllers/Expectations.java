package dev.junction.controllers;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Creations and deletions a controller has issued but not yet seen in its informer cache, per owner
 * key, as upstream {@code pkg/controller/controller_utils.go} {@code ControllerExpectations}: while
 * unsatisfied the owner is not scaled again, so a stale cache never causes double creates.
 *
 * <p>An expected creation is satisfied once the informer has delivered any event for the pod
 * ({@link #observed}, upstream {@code CreationObserved} from {@code addPod}) or the pod is in the
 * cache, so a pod deleted right after it was created (before the owner's next sync) still counts as
 * created. An expected deletion is satisfied once the pod is gone from the cache or terminating
 * (upstream {@code DeletionObserved} from {@code deletePod} and from {@code updatePod} with a
 * deletionTimestamp). Expectations expire after a TTL (upstream: 5 minutes; here 30 s) in case an
 * event is lost; {@link #untilExpiry} tells the caller when to look again, since nothing else may
 * wake the owner then.
 */
final class Expectations {
    private static final Duration TTL = Duration.ofSeconds(30);

    /** {@code adds} shrinks as the informer observes the pods; the sets are concurrent. */
    private record Pending(Set<String> adds, Set<String> deletes, Instant deadline) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** Records that {@code adds} will appear and {@code deletes} will disappear for {@code ownerKey}. */
    void expect(String ownerKey, Set<String> adds, Set<String> deletes) {
        Set<String> remaining = ConcurrentHashMap.newKeySet();
        remaining.addAll(adds);
        pending.put(ownerKey, new Pending(remaining, Set.copyOf(deletes), Instant.now().plus(TTL)));
    }

    /** The informer delivered an event (add, update or delete) for pod {@code name} of {@code ownerKey}. */
    void observed(String ownerKey, String name) {
        Pending p = pending.get(ownerKey);
        if (p != null) {
            p.adds().remove(name);
        }
    }

    /**
     * Whether every expected add was observed or is {@code inCache}, and every expected delete is
     * not {@code active}; satisfied or expired expectations are cleared.
     *
     * @param inCache whether the informer cache holds a pod of that name, in any state
     * @param active  whether the informer cache holds that pod and it is not terminating
     */
    boolean satisfied(String ownerKey, Predicate<String> inCache, Predicate<String> active) {
        Pending p = pending.get(ownerKey);
        if (p == null) {
            return true;
        }
        boolean done = p.adds().stream().allMatch(inCache) && p.deletes().stream().noneMatch(active);
        if (done || Instant.now().isAfter(p.deadline())) {
            pending.remove(ownerKey, p);
            return true;
        }
        return false;
    }

    /** Time left until {@code ownerKey}'s expectations expire (zero when there are none). */
    Duration untilExpiry(String ownerKey) {
        Pending p = pending.get(ownerKey);
        if (p == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(Instant.now(), p.deadline());
        return left.isNegative() ? Duration.ZERO : left;
    }

    void forget(String ownerKey) {
        pending.remove(ownerKey);
    }
}
