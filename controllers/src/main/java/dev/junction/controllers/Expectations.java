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
 * unsatisfied the owner is not scaled again, so a stale cache never causes double creates. Expectations
 * expire after a TTL (upstream: 5 minutes; here 30 s) in case an event is lost.
 */
final class Expectations {
    private static final Duration TTL = Duration.ofSeconds(30);

    private record Pending(Set<String> adds, Set<String> deletes, Instant deadline) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** Records that {@code adds} will appear and {@code deletes} will disappear for {@code ownerKey}. */
    void expect(String ownerKey, Set<String> adds, Set<String> deletes) {
        pending.put(ownerKey, new Pending(Set.copyOf(adds), Set.copyOf(deletes), Instant.now().plus(TTL)));
    }

    /**
     * Whether every expected add is {@code present} and every expected delete is not; satisfied or
     * expired expectations are cleared.
     */
    boolean satisfied(String ownerKey, Predicate<String> present) {
        Pending p = pending.get(ownerKey);
        if (p == null) {
            return true;
        }
        boolean done = p.adds().stream().allMatch(present) && p.deletes().stream().noneMatch(present);
        if (done || Instant.now().isAfter(p.deadline())) {
            pending.remove(ownerKey, p);
            return true;
        }
        return false;
    }

    void forget(String ownerKey) {
        pending.remove(ownerKey);
    }
}
