package dev.junction.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records core/v1 Events about pods with source {@code kubelet}/{@code <node>}, like kubelet's recorder. */
final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private final KubernetesClient client;
    private final String nodeName;

    EventRecorder(KubernetesClient client, String nodeName) {
        this.client = requireNonNull(client, "client");
        this.nodeName = requireNonNull(nodeName, "nodeName");
    }

    /** Creates a Warning event; failures are logged, never thrown. */
    void warning(Pod pod, String reason, String message) {
        record(pod, "Warning", reason, message);
    }

    void record(Pod pod, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        ObjectReference ref = new ObjectReference();
        ref.setApiVersion("v1");
        ref.setKind("Pod");
        ref.setNamespace(pod.getMetadata().getNamespace());
        ref.setName(pod.getMetadata().getName());
        ref.setUid(pod.getMetadata().getUid());
        Event event = new Event();
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(pod.getMetadata().getNamespace());
        meta.setName(pod.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000)));
        event.setMetadata(meta);
        event.setInvolvedObject(ref);
        event.setType(type);
        event.setReason(reason);
        event.setMessage(message);
        event.setSource(new EventSource("kubelet", nodeName));
        event.setReportingComponent("kubelet");
        event.setReportingInstance(nodeName);
        event.setFirstTimestamp(now);
        event.setLastTimestamp(now);
        event.setCount(1);
        try {
            client.v1().events().inNamespace(pod.getMetadata().getNamespace()).resource(event).create();
        } catch (RuntimeException e) {
            log.warn("cannot record event {} for pod {}/{}: {}", reason, pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(), e.toString());
        }
    }
}
