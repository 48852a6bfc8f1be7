package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal kube-scheduler (upstream {@code pkg/scheduler}: {@code schedule_one.go}, default binder):
 * pods with an empty {@code spec.nodeName} and {@code schedulerName} {@code default-scheduler} (or
 * unset) are filtered against every node by {@link NodeFit} and bound, through {@link Binder}, to the
 * feasible node with the fewest pods (ties by name); bound pods are counted immediately ("assumed")
 * so that a burst spreads evenly. A {@code Scheduled} event is emitted. When no node fits, condition
 * {@code PodScheduled=False} reason {@code Unschedulable} is written with upstream's
 * "0/N nodes are available: …" message, a {@code FailedScheduling} event is emitted, and the pod is
 * retried on every node change (and every 30 s). Runs with one worker, like upstream's single
 * scheduling loop.
 */
final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    static final String NAME = "default-scheduler";

    private final KubernetesClient client;
    private final Informers informers;
    private final Binder binder;
    private final Map<String, String> assumed = new ConcurrentHashMap<>();
    final ControllerLoop loop;

    Scheduler(KubernetesClient client, Informers informers) {
        this.client = requireNonNull(client, "client");
        this.informers = requireNonNull(informers, "informers");
        this.binder = new Binder(client);
        this.loop = new ControllerLoop("scheduler", this::reconcile);
        Informers.onChange(informers.pods, (oldPod, pod) -> {
            String key = Informers.key(pod);
            if (hasNode(pod) || informers.pods.getStore().getByKey(key) == null) {
                assumed.remove(key);
            }
            if (needsScheduling(pod)) {
                loop.enqueue(key);
            }
        });
        Informers.onEach(informers.nodes, node -> requeueUnscheduled());
    }

    private void requeueUnscheduled() {
        for (Pod pod : informers.pods.getStore().list()) {
            if (needsScheduling(pod)) {
                loop.enqueue(Informers.key(pod));
            }
        }
    }

    static boolean needsScheduling(Pod pod) {
        String scheduler = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
        return !hasNode(pod) && (scheduler == null || scheduler.isEmpty() || NAME.equals(scheduler))
                && Pods.isActive(pod);
    }

    private static boolean hasNode(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    void reconcile(String key) throws InterruptedException {
        Optional<Pod> found = Informers.get(informers.pods, key);
        if (found.isEmpty() || !needsScheduling(found.get()) || assumed.containsKey(key)) {
            return;
        }
        Pod pod = found.get();
        Map<String, Integer> perNode = new HashMap<>();
        for (Pod p : informers.pods.getStore().list()) {
            String node = hasNode(p) ? p.getSpec().getNodeName() : assumed.get(Informers.key(p));
            if (node != null && !Pods.isTerminal(p)) {
                perNode.merge(node, 1, Integer::sum);
            }
        }
        NodeFit.Result result = NodeFit.choose(pod, informers.nodes.getStore().list(), perNode);
        if (result.node().isEmpty()) {
            markUnschedulable(pod, result.message());
            loop.enqueueAfter(key, Duration.ofSeconds(30));
            return;
        }
        String node = result.node().get();
        binder.bind(pod, node);
        assumed.put(key, node);
        LOG.info("scheduler: assigned {} to {}", key, node);
        event(pod, "Normal", "Scheduled", "Successfully assigned " + key + " to " + node);
    }

    private void markUnschedulable(Pod pod, String message) {
        var previous = Pods.condition(pod, "PodScheduled");
        if (previous.isPresent() && "False".equals(previous.get().getStatus())
                && "Unschedulable".equals(previous.get().getReason()) && message.equals(previous.get().getMessage())) {
            return;
        }
        Pod next = new PodBuilder(pod).editOrNewStatus()
                .withPhase(pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase())
                .removeMatchingFromConditions(c -> "PodScheduled".equals(c.getType()))
                .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage(message).withLastTransitionTime(now()).endCondition()
                .endStatus().build();
        client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(next).updateStatus();
        event(pod, "Warning", "FailedScheduling", message);
        LOG.info("scheduler: {} unschedulable: {}", Informers.key(pod), message);
    }

    private void event(Pod pod, String type, String reason, String message) {
        String namespace = pod.getMetadata().getNamespace();
        var event = new EventBuilder()
                .withNewMetadata()
                .withName(pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime()))
                .withNamespace(namespace).endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Pod").withNamespace(namespace)
                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(NAME).endSource()
                .withReportingComponent(NAME).withAction(reason.equals("Scheduled") ? "Binding" : "Scheduling")
                .withFirstTimestamp(now()).withLastTimestamp(now()).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace(namespace).resource(event).create();
        } catch (KubernetesClientException e) {
            LOG.debug("scheduler: event not recorded: {}", e.toString());
        }
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
