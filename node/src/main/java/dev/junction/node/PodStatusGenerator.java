package dev.junction.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Computes a pod's status from its containers, as kubelet's {@code generateAPIPodStatus} and
 * {@code getPhase} do (kubernetes {@code pkg/kubelet/kubelet_pods.go}, {@code pkg/kubelet/status/generate.go}):
 * phase {@code Pending} while a container has never started, {@code Succeeded}/{@code Failed} when
 * every container terminated for good (all exit 0 → Succeeded), else {@code Running}; conditions
 * {@code PodReadyToStartContainers}, {@code Initialized}, {@code ContainersReady}, {@code Ready},
 * {@code PodScheduled}, each keeping its {@code lastTransitionTime} while its status is unchanged.
 * Pure: the clock is a parameter.
 */
public final class PodStatusGenerator {
    private PodStatusGenerator() {
    }

    /**
     * One container as the status needs it.
     *
     * @param name         container name
     * @param image        image as in the spec
     * @param containerId  e.g. {@code junction://1234}, when a process exists or existed
     * @param ready        the readiness result
     * @param state        exactly one of running / waiting / terminated set
     * @param lastState    the previous termination, if any
     * @param restartCount restarts so far
     */
    public record ContainerView(String name, String image, Optional<String> containerId, boolean ready,
            ContainerState state, Optional<ContainerState> lastState, int restartCount) {
        public ContainerView {
            requireNonNull(name, "name");
            requireNonNull(image, "image");
            requireNonNull(containerId, "containerId");
            requireNonNull(state, "state");
            requireNonNull(lastState, "lastState");
        }

        boolean neverStarted() {
            return state.getWaiting() != null && restartCount == 0 && lastState.isEmpty();
        }
    }

    /**
     * @param initContainers init containers in spec order (run one after the other before the rest)
     * @param containers in spec order
     * @param podIp      the pod IP, empty before the sandbox exists
     * @param hostIp     the node IP
     * @param startTime  RFC 3339 time the agent accepted the pod
     * @param previous   the status written last (for transition times and {@code qosClass})
     * @param now        RFC 3339 time used for transitions
     */
    public static PodStatus generate(List<ContainerView> initContainers, List<ContainerView> containers,
            Optional<String> podIp, String hostIp, String startTime, Optional<PodStatus> previous, String now) {
        requireNonNull(initContainers, "initContainers");
        requireNonNull(containers, "containers");
        String phase = phase(initContainers, containers);
        List<String> incomplete = initContainers.stream().filter(c -> !succeeded(c)).map(ContainerView::name).toList();
        List<String> unready = containers.stream().filter(c -> !c.ready()).map(ContainerView::name).toList();
        boolean allReady = unready.isEmpty() && !containers.isEmpty();
        boolean completed = phase.equals("Succeeded") || phase.equals("Failed");
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(condition("PodReadyToStartContainers", podIp.isPresent() && !completed, "", "", previous, now));
        boolean initialized = incomplete.isEmpty();
        conditions.add(condition("Initialized", initialized, initialized ? "" : "ContainersNotInitialized",
                initialized ? "" : "containers with incomplete status: [" + String.join(" ", incomplete) + "]", previous, now));
        String reason = completed ? "PodCompleted" : "ContainersNotReady";
        String message = completed ? "" : "containers with unready status: [" + String.join(" ", unready) + "]";
        conditions.add(condition("Ready", allReady, allReady ? "" : reason, allReady ? "" : message, previous, now));
        conditions.add(condition("ContainersReady", allReady, allReady ? "" : reason, allReady ? "" : message, previous, now));
        conditions.add(condition("PodScheduled", true, "", "", previous, now));

        PodStatus status = new PodStatus();
        status.setPhase(phase);
        status.setConditions(conditions);
        status.setHostIP(hostIp);
        status.setHostIPs(List.of(new HostIP(hostIp)));
        podIp.ifPresent(ip -> {
            status.setPodIP(ip);
            status.setPodIPs(List.of(new PodIP(ip)));
        });
        status.setStartTime(startTime);
        previous.map(PodStatus::getQosClass).ifPresent(status::setQosClass);
        if (!initContainers.isEmpty()) {
            status.setInitContainerStatuses(statuses(initContainers));
        }
        status.setContainerStatuses(statuses(containers));
        return status;
    }

    private static List<ContainerStatus> statuses(List<ContainerView> containers) {
        List<ContainerStatus> statuses = new ArrayList<>();
        for (ContainerView c : containers) {
            ContainerStatus cs = new ContainerStatus();
            cs.setName(c.name());
            cs.setImage(c.image());
            cs.setImageID("");
            c.containerId().ifPresent(cs::setContainerID);
            cs.setReady(c.ready());
            cs.setStarted(c.state().getRunning() != null);
            cs.setRestartCount(c.restartCount());
            cs.setState(c.state());
            cs.setLastState(c.lastState().orElseGet(ContainerState::new));
            statuses.add(cs);
        }
        return statuses;
    }

    private static boolean succeeded(ContainerView c) {
        return c.state().getTerminated() != null && Integer.valueOf(0).equals(c.state().getTerminated().getExitCode());
    }

    /**
     * The phase rule of kubelet's {@code getPhase}: a finally failed init container fails the pod,
     * incomplete initialization keeps it Pending, then the regular containers decide.
     */
    static String phase(List<ContainerView> initContainers, List<ContainerView> containers) {
        for (ContainerView init : initContainers) {
            if (init.state().getTerminated() != null && !succeeded(init)) {
                return "Failed";
            }
        }
        if (initContainers.stream().anyMatch(c -> !succeeded(c))) {
            return "Pending";
        }
        if (containers.isEmpty()) {
            return "Pending";
        }
        if (containers.stream().anyMatch(ContainerView::neverStarted)) {
            return "Pending";
        }
        boolean allTerminated = containers.stream().allMatch(c -> c.state().getTerminated() != null);
        if (allTerminated) {
            boolean allSucceeded = containers.stream().allMatch(c -> c.state().getTerminated().getExitCode() == 0);
            return allSucceeded ? "Succeeded" : "Failed";
        }
        return "Running";
    }

    private static PodCondition condition(String type, boolean value, String reason, String message,
            Optional<PodStatus> previous, String now) {
        String status = value ? "True" : "False";
        String since = previous.flatMap(p -> Optional.ofNullable(p.getConditions()).flatMap(cs -> cs.stream()
                        .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus())).findFirst()))
                .map(PodCondition::getLastTransitionTime).orElse(now);
        PodCondition condition = new PodCondition();
        condition.setType(type);
        condition.setStatus(status);
        condition.setLastTransitionTime(since);
        if (!reason.isEmpty()) {
            condition.setReason(reason);
        }
        if (!message.isEmpty()) {
            condition.setMessage(message);
        }
        return condition;
    }
}
