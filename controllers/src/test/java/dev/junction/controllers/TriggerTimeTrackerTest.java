package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Upstream {@code trigger_time_tracker_test.go}'s cases, on our tracker. */
class TriggerTimeTrackerTest {
    private static final String T0 = "2026-11-22T01:00:00Z";
    private static final String T1 = "2026-11-22T01:00:01Z";
    private static final String T2 = "2026-11-22T01:00:02.250Z";
    private static final String T3 = "2026-11-22T01:00:03Z";

    private static Service service(String created) {
        return new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default")
                .withCreationTimestamp(created).endMetadata().build();
    }

    private static Pod pod(String name, String readySince) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().addNewCondition()
                .withType("Ready").withStatus("True").withLastTransitionTime(readySince).endCondition().endStatus().build();
    }

    @Test
    void newServiceGetsItsCreationTime() {
        TriggerTimeTracker t = new TriggerTimeTracker();
        assertThat(t.compute("default/web", service(T0), List.of(pod("a", T1)))).contains(Instant.parse(T0));
    }

    @Test
    void unchangedPodsGiveNothingAndTheEarliestAdvancedPodWins() {
        TriggerTimeTracker t = new TriggerTimeTracker();
        t.compute("default/web", service(T0), List.of(pod("a", T1), pod("b", T1)));
        assertThat(t.compute("default/web", service(T0), List.of(pod("a", T1), pod("b", T1)))).isEmpty();
        assertThat(t.compute("default/web", service(T0), List.of(pod("a", T3), pod("b", T2), pod("c", T3))))
                .contains(Instant.parse(T2));
        // a removed pod is no trigger of its own; the remaining ones did not change
        assertThat(t.compute("default/web", service(T0), List.of(pod("a", T3)))).isEmpty();
    }

    @Test
    void recreatedServiceCountsAsAChangeAndForgetStartsOver() {
        TriggerTimeTracker t = new TriggerTimeTracker();
        t.compute("default/web", service(T0), List.of(pod("a", T1)));
        assertThat(t.compute("default/web", service(T3), List.of(pod("a", T1)))).contains(Instant.parse(T3));
        t.forget("default/web");
        assertThat(t.compute("default/web", service(T0), List.of(pod("a", T1)))).contains(Instant.parse(T0));
    }

    @Test
    void formatIsRfc3339NanoInUtc() {
        assertThat(TriggerTimeTracker.format(Instant.parse(T2))).isEqualTo("2026-11-22T01:00:02.250Z");
        assertThat(TriggerTimeTracker.format(Instant.parse(T0))).isEqualTo(T0);
    }
}
