package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EndpointsChangeTrackerTest {
    private static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);

    @Test
    void mergesAllSlicesOfAServiceSortedByEndpoint() {
        EndpointsChangeTracker tracker = new EndpointsChangeTracker("node-a");
        assertThat(tracker.onSliceUpdate(Fixtures.slice("default", "web", "web-b", 8080, "10.244.2.2"), false)).isTrue();
        assertThat(tracker.onSliceUpdate(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.3", "10.244.1.2"), false)).isTrue();
        EndpointsMap map = EndpointsMap.EMPTY.apply(tracker.checkout());
        assertThat(map.get(WEB)).extracting(EndpointInfo::endpoint)
                .containsExactly("10.244.1.2:8080", "10.244.1.3:8080", "10.244.2.2:8080");
    }

    @Test
    void duplicateEndpointAcrossSlicesCountsOnce() {
        EndpointsChangeTracker tracker = new EndpointsChangeTracker("node-a");
        tracker.onSliceUpdate(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.2"), false);
        tracker.onSliceUpdate(Fixtures.slice("default", "web", "web-b", 8080, "10.244.1.2"), false);
        assertThat(EndpointsMap.EMPTY.apply(tracker.checkout()).get(WEB)).hasSize(1);
    }

    @Test
    void sameContentUnderNewResourceVersionIsNoChange() {
        EndpointsChangeTracker tracker = new EndpointsChangeTracker("node-a");
        EndpointSlice slice = Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.2");
        tracker.onSliceUpdate(slice, false);
        tracker.checkout();
        EndpointSlice again = new EndpointSliceBuilder(slice).editMetadata().withResourceVersion("42").endMetadata().build();
        assertThat(tracker.onSliceUpdate(again, false)).isFalse();
        assertThat(tracker.checkout()).isEmpty();
    }

    @Test
    void changeUndoneBeforeSyncIsDropped() {
        EndpointsChangeTracker tracker = new EndpointsChangeTracker("node-a");
        EndpointSlice one = Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.2");
        tracker.onSliceUpdate(one, false);
        tracker.checkout();
        tracker.onSliceUpdate(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.9"), false);
        tracker.onSliceUpdate(one, false);
        assertThat(tracker.hasPending()).isFalse();
    }

    @Test
    void deletingTheLastSliceRemovesTheEndpoints() {
        EndpointsChangeTracker tracker = new EndpointsChangeTracker("node-a");
        EndpointSlice slice = Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.2");
        tracker.onSliceUpdate(slice, false);
        EndpointsMap map = EndpointsMap.EMPTY.apply(tracker.checkout());
        assertThat(tracker.onSliceUpdate(slice, true)).isTrue();
        assertThat(map.apply(tracker.checkout()).endpoints()).isEmpty();
    }

    @Test
    void conditionsNodeNameAndLocality() {
        EndpointSlice slice = new EndpointSliceBuilder(Fixtures.slice("default", "web", "web-a", 8080))
                .addNewEndpoint().withAddresses("10.244.1.2").withNodeName("node-a").endEndpoint()
                .addNewEndpoint().withAddresses("10.244.2.2").withNodeName("node-b")
                .withNewConditions().withReady(false).withServing(true).withTerminating(true).endConditions().endEndpoint()
                .build();
        EndpointsChangeTracker tracker = new EndpointsChangeTracker("node-a");
        tracker.onSliceUpdate(slice, false);
        EndpointsMap map = EndpointsMap.EMPTY.apply(tracker.checkout());
        assertThat(map.get(WEB)).containsExactly(
                new EndpointInfo("10.244.1.2", 8080, true, true, false, Optional.of("node-a"), true),
                new EndpointInfo("10.244.2.2", 8080, false, true, true, Optional.of("node-b"), false));
        assertThat(map.ready(WEB)).extracting(EndpointInfo::ip).isEqualTo(List.of("10.244.1.2"));
    }

    @Test
    void slicesWithoutServiceLabelOrNotIPv4AreIgnored() {
        EndpointsChangeTracker tracker = new EndpointsChangeTracker("node-a");
        EndpointSlice unlabeled = new EndpointSliceBuilder(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.2"))
                .editMetadata().withLabels(null).endMetadata().build();
        EndpointSlice ipv6 = new EndpointSliceBuilder(Fixtures.slice("default", "web", "web-b", 8080))
                .withAddressType("IPv6").addNewEndpoint().withAddresses("fd00::1").endEndpoint().build();
        assertThat(tracker.onSliceUpdate(unlabeled, false)).isFalse();
        assertThat(tracker.onSliceUpdate(ipv6, false)).isFalse();
        assertThat(tracker.hasPending()).isFalse();
    }

    @Test
    void triggerTimesOfRealChangesAreCheckedOutOnceAndDeletesAreIgnored() {
        EndpointsChangeTracker tracker = new EndpointsChangeTracker("jn-node-a");
        java.time.Instant t1 = java.time.Instant.now().plusMillis(5);
        EndpointSlice first = new EndpointSliceBuilder(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.2")).editMetadata()
                .addToAnnotations(EndpointsChangeTracker.LAST_CHANGE_TRIGGER_TIME, t1.toString()).endMetadata().build();
        tracker.onSliceUpdate(first, false);
        // The same endpoints again (a no-op update) adds no sample.
        tracker.onSliceUpdate(new EndpointSliceBuilder(first).editMetadata().withResourceVersion("2").endMetadata().build(), false);
        tracker.checkout();
        assertThat(tracker.checkoutTriggerTimes()).containsExactly(t1);
        assertThat(tracker.checkoutTriggerTimes()).isEmpty();
        // An annotation older than the tracker (the initial list) and an unparsable one are ignored.
        EndpointSlice old = new EndpointSliceBuilder(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.3")).editMetadata()
                .addToAnnotations(EndpointsChangeTracker.LAST_CHANGE_TRIGGER_TIME, "2020-01-01T00:00:00Z").endMetadata().build();
        tracker.onSliceUpdate(old, false);
        EndpointSlice garbage = new EndpointSliceBuilder(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.4")).editMetadata()
                .addToAnnotations(EndpointsChangeTracker.LAST_CHANGE_TRIGGER_TIME, "yesterday").endMetadata().build();
        tracker.onSliceUpdate(garbage, false);
        assertThat(tracker.checkoutTriggerTimes()).isEmpty();
        // A delete drops the Service's pending samples.
        java.time.Instant t2 = java.time.Instant.now().plusMillis(10);
        tracker.onSliceUpdate(new EndpointSliceBuilder(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.5")).editMetadata()
                .addToAnnotations(EndpointsChangeTracker.LAST_CHANGE_TRIGGER_TIME, t2.toString()).endMetadata().build(), false);
        tracker.onSliceUpdate(Fixtures.slice("default", "web", "web-a", 8080, "10.244.1.5"), true);
        assertThat(tracker.checkoutTriggerTimes()).isEmpty();
    }
}
