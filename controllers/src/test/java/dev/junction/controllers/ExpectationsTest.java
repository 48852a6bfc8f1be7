package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ExpectationsTest {
    private static final Predicate<String> NOTHING = name -> false;

    @Test
    void addsAreSatisfiedWhenObservedEvenIfThePodIsGoneAgain() {
        // A pod created by the ReplicaSet and deleted before its next sync (a CI failure: the
        // ReplicaSet waited for a pod that no longer existed and never replaced it).
        Expectations e = new Expectations();
        e.expect("default/web", Set.of("web-a", "web-b"), Set.of());
        assertThat(e.satisfied("default/web", NOTHING, NOTHING)).isFalse();
        e.observed("default/web", "web-a");
        assertThat(e.satisfied("default/web", NOTHING, NOTHING)).isFalse();
        e.observed("default/web", "web-b");
        assertThat(e.satisfied("default/web", NOTHING, NOTHING)).isTrue();
    }

    @Test
    void addsAreSatisfiedByTheCacheInAnyState() {
        Expectations e = new Expectations();
        e.expect("default/web", Set.of("web-a"), Set.of());
        assertThat(e.satisfied("default/web", "web-a"::equals, NOTHING)).as("terminating but in the cache").isTrue();
    }

    @Test
    void deletesAreSatisfiedWhenThePodIsNoLongerActive() {
        Expectations e = new Expectations();
        e.expect("default/web", Set.of(), Set.of("web-a"));
        assertThat(e.satisfied("default/web", "web-a"::equals, "web-a"::equals)).isFalse();
        assertThat(e.satisfied("default/web", "web-a"::equals, NOTHING)).as("terminating").isTrue();
    }

    @Test
    void observationsForOtherOwnersOrNamesChangeNothing() {
        Expectations e = new Expectations();
        e.expect("default/web", Set.of("web-a"), Set.of());
        e.observed("default/api", "web-a");
        e.observed("default/web", "web-z");
        assertThat(e.satisfied("default/web", NOTHING, NOTHING)).isFalse();
        assertThat(e.untilExpiry("default/web")).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
        e.forget("default/web");
        assertThat(e.untilExpiry("default/web")).isZero();
        assertThat(e.satisfied("default/web", NOTHING, NOTHING)).isTrue();
    }
}
