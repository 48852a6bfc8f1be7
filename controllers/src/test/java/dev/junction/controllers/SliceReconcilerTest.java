package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SliceReconcilerTest {
    private static final SliceReconciler.Owner OWNER = new SliceReconciler.Owner("default", "svc-",
            Map.of("kubernetes.io/service-name", "svc"), new OwnerReferenceBuilder().withKind("Service").withName("svc").build());
    private static final SliceReconciler.Group HTTP = new SliceReconciler.Group("IPv4",
            List.of(new EndpointPorts.Port("http", 8080, "TCP", null)));

    private static SliceReconciler.Ep ep(int i, boolean ready) {
        return new SliceReconciler.Ep("10.0." + (i / 250) + "." + (i % 250 + 1), ready, ready, false, null, "n", null,
                "Pod", "default", "p" + i, "uid" + i);
    }

    private static List<SliceReconciler.Ep> eps(int n) {
        List<SliceReconciler.Ep> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ep(i, true));
        }
        return out;
    }

    /** Pretends the server stored the planned slices. */
    private static List<EndpointSlice> stored(SliceReconciler.Plan plan) {
        List<EndpointSlice> out = new ArrayList<>();
        for (EndpointSlice s : plan.create()) {
            out.add(new EndpointSliceBuilder(s).editMetadata().withResourceVersion("1").endMetadata().build());
        }
        return out;
    }

    @Test
    void splitsAtHundredEndpointsAndIsStableWhenNothingChanged() {
        var plan = SliceReconciler.plan(OWNER, Map.of(HTTP, eps(250)), List.of());
        assertThat(plan.create()).hasSize(3).allSatisfy(s -> {
            assertThat(s.getEndpoints().size()).isLessThanOrEqualTo(100);
            assertThat(s.getMetadata().getGenerateName()).isEqualTo("svc-");
            assertThat(s.getMetadata().getName()).matches("svc-[bcdfghjklmnpqrstvwxz2456789]{5}");
        });
        var again = SliceReconciler.plan(OWNER, Map.of(HTTP, eps(250)), stored(plan));
        assertThat(again.isEmpty()).isTrue();
    }

    @Test
    void changedEndpointUpdatesOnlyItsSliceAndEmptiedSlicesAreDeleted() {
        var existing = stored(SliceReconciler.plan(OWNER, Map.of(HTTP, eps(150)), List.of()));
        List<SliceReconciler.Ep> changed = new ArrayList<>(eps(150));
        changed.set(0, ep(0, false));
        var plan = SliceReconciler.plan(OWNER, Map.of(HTTP, changed), existing);
        assertThat(plan.create()).isEmpty();
        assertThat(plan.delete()).isEmpty();
        assertThat(plan.update()).hasSize(1);

        var shrink = SliceReconciler.plan(OWNER, Map.of(HTTP, eps(150).subList(0, 10)), existing);
        assertThat(shrink.create()).isEmpty();
        assertThat(shrink.update().size() + shrink.delete().size()).isEqualTo(2);
        assertThat(shrink.update().stream().mapToInt(s -> s.getEndpoints().size()).sum()).isEqualTo(10);

        var empty = SliceReconciler.plan(OWNER, Map.of(HTTP, eps(150).subList(0, 1)), existing);
        assertThat(empty.update()).hasSize(1);
        assertThat(empty.delete()).hasSize(1);
    }

    @Test
    void noEndpointsKeepsOnePlaceholderWhichIsReusedAndPortChangeUpdatesInPlace() {
        var placeholder = SliceReconciler.plan(OWNER, Map.of(), List.of());
        assertThat(placeholder.create()).singleElement().satisfies(s -> {
            assertThat(s.getEndpoints()).isEmpty();
            assertThat(s.getPorts()).isEmpty();
        });
        assertThat(SliceReconciler.plan(OWNER, Map.of(), stored(placeholder)).isEmpty()).isTrue();
        var filled = SliceReconciler.plan(OWNER, Map.of(HTTP, eps(2)), stored(placeholder));
        assertThat(filled.create()).isEmpty();
        assertThat(filled.delete()).isEmpty();
        assertThat(filled.update()).singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).isEqualTo(placeholder.create().get(0).getMetadata().getName());
            assertThat(s.getEndpoints()).hasSize(2);
            assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
        });

        var existing = stored(SliceReconciler.plan(OWNER, Map.of(HTTP, eps(3)), List.of()));
        var other = new SliceReconciler.Group("IPv4", List.of(new EndpointPorts.Port("http", 9090, "TCP", null)));
        var plan = SliceReconciler.plan(OWNER, Map.of(other, eps(3)), existing);
        assertThat(plan.create()).isEmpty();
        assertThat(plan.delete()).isEmpty();
        assertThat(plan.update()).singleElement().satisfies(s -> assertThat(s.getPorts().get(0).getPort()).isEqualTo(9090));
    }
}
