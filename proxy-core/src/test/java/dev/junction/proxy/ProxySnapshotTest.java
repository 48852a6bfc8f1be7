package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Persistent maps (changed Services replaced, the rest shared) and the snapshots' change sets. */
class ProxySnapshotTest {
    private static ServicePortName port(int service, String name) {
        return new ServicePortName("default", "svc-" + service, name, Protocol.TCP);
    }

    private static EndpointsMap endpoints(int services) {
        Map<ServicePortName, List<EndpointInfo>> map = new TreeMap<>();
        for (int i = 0; i < services; i++) {
            map.put(port(i, "http"), List.of(EndpointInfo.ready("10.244.1." + i, 8080)));
            map.put(port(i, "https"), List.of(EndpointInfo.ready("10.244.1." + i, 8443)));
        }
        return EndpointsMap.of(map);
    }

    @Test
    void endpointsApplyReplacesOnlyTheChangedServiceAndSharesTheRest() {
        EndpointsMap before = endpoints(100);
        // svc-42 (and its neighbours svc-41, svc-43 in name order) around the change.
        NamespacedName svc42 = new NamespacedName("default", "svc-42");
        List<EndpointInfo> moved = List.of(EndpointInfo.ready("10.244.2.42", 8080));
        EndpointsMap after = before.apply(Map.of(svc42, new EndpointsChangeTracker.Change(
                Map.of(port(42, "http"), before.get(port(42, "http")), port(42, "https"), before.get(port(42, "https"))),
                Map.of(port(42, "http"), moved))));

        assertThat(after.get(port(42, "http"))).isEqualTo(moved);
        assertThat(after.endpoints()).as("the https port of svc-42 went away").doesNotContainKey(port(42, "https"));
        assertThat(after.endpoints()).hasSize(199);
        assertThat(before.get(port(42, "https"))).as("the old map is unchanged").hasSize(1);
        for (int i = 0; i < 100; i++) {
            if (i != 42) {
                assertThat(after.get(port(i, "http"))).as("svc-%d shared, not copied", i).isSameAs(before.get(port(i, "http")));
                assertThat(after.get(port(i, "https"))).isSameAs(before.get(port(i, "https")));
            }
        }
        assertThat(List.copyOf(after.endpoints().keySet())).isSortedAccordingTo(ServicePortName::compareTo);
    }

    @Test
    void servicePortsApplyRemovesEveryPortOfADeletedService() {
        ServicePortMap before = ServicePortMap.of(Map.of(
                port(1, "a"), ServicePortInfo.clusterIP("10.96.0.1", 80, Protocol.TCP),
                port(1, "b"), ServicePortInfo.clusterIP("10.96.0.1", 81, Protocol.TCP),
                port(2, "a"), ServicePortInfo.clusterIP("10.96.0.2", 80, Protocol.TCP),
                port(11, "a"), ServicePortInfo.clusterIP("10.96.0.11", 80, Protocol.TCP)));
        // A delete whose "previous" is incomplete still removes all of svc-1's ports (svc-11 sorts right after).
        ServicePortMap after = before.apply(Map.of(new NamespacedName("default", "svc-1"),
                new ServiceChangeTracker.Change(Map.of(port(1, "a"), before.get(port(1, "a")).orElseThrow()), Map.of())));
        assertThat(after.ports().keySet()).containsExactly(port(11, "a"), port(2, "a"));
        assertThat(before.ports()).hasSize(4);
    }

    @Test
    void changedSinceFollowsOneStepOfTheChainOnly() {
        ProxySnapshot s0 = new ProxySnapshot(ServicePortMap.EMPTY, endpoints(3));
        EndpointsMap e1 = endpoints(4);
        ProxySnapshot s1 = ProxySnapshot.changedFrom(s0, s0.services(), e1, Set.of(port(3, "http"), port(3, "https")));
        ProxySnapshot s2 = ProxySnapshot.changedFrom(s1, s1.services(), e1, Set.of());

        assertThat(s1.changedSince(s0)).contains(Set.of(port(3, "http"), port(3, "https")));
        assertThat(s2.changedSince(s1)).contains(Set.of());
        assertThat(s1.changedSince(s1)).contains(Set.of());
        assertThat(s2.changedSince(s0)).as("two steps: unknown").isEmpty();
        assertThat(s1.changedSince(ProxySnapshot.EMPTY)).as("another base: unknown").isEmpty();
        assertThat(s0.changedSince(ProxySnapshot.EMPTY)).as("no change information").isEmpty();
        assertThat(s1).as("equality is by content").isEqualTo(new ProxySnapshot(ServicePortMap.EMPTY, endpoints(4)));
    }
}
