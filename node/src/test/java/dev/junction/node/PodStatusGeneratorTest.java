package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodStatusGeneratorTest {
    static final String T0 = "2026-01-01T00:00:00Z";
    static final String T1 = "2026-01-01T00:01:00Z";

    static PodStatusGenerator.ContainerView running(String name, boolean ready) {
        ContainerState s = new ContainerState();
        s.setRunning(new ContainerStateRunning(T0));
        return new PodStatusGenerator.ContainerView(name, "img", Optional.of("junction://1"), ready, s, Optional.empty(), 0);
    }

    static PodStatusGenerator.ContainerView waiting(String name, int restarts) {
        ContainerState s = new ContainerState();
        ContainerStateWaiting w = new ContainerStateWaiting();
        w.setReason("ContainerCreating");
        s.setWaiting(w);
        Optional<ContainerState> last = restarts == 0 ? Optional.empty() : Optional.of(terminatedState(1));
        return new PodStatusGenerator.ContainerView(name, "img", Optional.empty(), false, s, last, restarts);
    }

    static ContainerState terminatedState(int code) {
        ContainerState s = new ContainerState();
        ContainerStateTerminated t = new ContainerStateTerminated();
        t.setExitCode(code);
        s.setTerminated(t);
        return s;
    }

    static PodStatusGenerator.ContainerView terminated(String name, int code) {
        return new PodStatusGenerator.ContainerView(name, "img", Optional.empty(), false, terminatedState(code), Optional.empty(), 0);
    }

    static String condition(PodStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).map(PodCondition::getStatus).findFirst().orElseThrow();
    }

    @Test
    void phases() {
        assertThat(PodStatusGenerator.phase(List.of(), List.of(running("a", true), waiting("b", 0)))).isEqualTo("Pending");
        assertThat(PodStatusGenerator.phase(List.of(), List.of(running("a", true), waiting("b", 2)))).isEqualTo("Running");
        assertThat(PodStatusGenerator.phase(List.of(), List.of(running("a", true), terminated("b", 0)))).isEqualTo("Running");
        assertThat(PodStatusGenerator.phase(List.of(), List.of(terminated("a", 0), terminated("b", 0)))).isEqualTo("Succeeded");
        assertThat(PodStatusGenerator.phase(List.of(), List.of(terminated("a", 0), terminated("b", 1)))).isEqualTo("Failed");
    }

    @Test
    void initContainersGatePhaseAndInitializedCondition() {
        assertThat(PodStatusGenerator.phase(List.of(terminated("init", 0), waiting("init2", 0)), List.of(waiting("a", 0))))
                .isEqualTo("Pending");
        assertThat(PodStatusGenerator.phase(List.of(terminated("init", 1)), List.of(waiting("a", 0)))).isEqualTo("Failed");
        assertThat(PodStatusGenerator.phase(List.of(terminated("init", 0)), List.of(running("a", true)))).isEqualTo("Running");
        PodStatus s = PodStatusGenerator.generate(List.of(terminated("init", 0), waiting("init2", 1)), List.of(waiting("a", 0)),
                Optional.of("10.244.1.2"), "172.30.0.11", T0, Optional.empty(), T0);
        assertThat(condition(s, "Initialized")).isEqualTo("False");
        assertThat(s.getConditions()).filteredOn(c -> c.getType().equals("Initialized")).first()
                .satisfies(c -> assertThat(c.getMessage()).isEqualTo("containers with incomplete status: [init2]"));
        assertThat(s.getInitContainerStatuses()).extracting(cs -> cs.getName()).containsExactly("init", "init2");
    }

    @Test
    void readyNeedsEveryContainerReadyAndKeepsTransitionTimes() {
        PodStatus notReady = PodStatusGenerator.generate(List.of(), List.of(running("a", true), running("b", false)), Optional.of("10.244.1.2"),
                "172.30.0.11", T0, Optional.empty(), T0);
        assertThat(condition(notReady, "Ready")).isEqualTo("False");
        assertThat(notReady.getConditions()).filteredOn(c -> c.getType().equals("Ready")).first()
                .satisfies(c -> assertThat(c.getMessage()).isEqualTo("containers with unready status: [b]"));
        assertThat(notReady.getPodIP()).isEqualTo("10.244.1.2");
        assertThat(notReady.getPodIPs()).hasSize(1);
        assertThat(notReady.getHostIPs()).hasSize(1);

        PodStatus ready = PodStatusGenerator.generate(List.of(), List.of(running("a", true), running("b", true)), Optional.of("10.244.1.2"),
                "172.30.0.11", T0, Optional.of(notReady), T1);
        assertThat(condition(ready, "Ready")).isEqualTo("True");
        assertThat(ready.getConditions()).filteredOn(c -> c.getType().equals("Ready")).first()
                .satisfies(c -> assertThat(c.getLastTransitionTime()).isEqualTo(T1));
        assertThat(ready.getConditions()).filteredOn(c -> c.getType().equals("Initialized")).first()
                .satisfies(c -> assertThat(c.getLastTransitionTime()).isEqualTo(T0));
        PodStatus again = PodStatusGenerator.generate(List.of(), List.of(running("a", true), running("b", true)), Optional.of("10.244.1.2"),
                "172.30.0.11", T0, Optional.of(ready), "2026-01-01T00:09:00Z");
        assertThat(again).isEqualTo(ready);
    }
}
