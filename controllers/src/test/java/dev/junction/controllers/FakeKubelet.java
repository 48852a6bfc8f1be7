package dev.junction.controllers;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** Test stand-in for kubelets: marks every bound pod Running + Ready with a fresh 10.244.0.x IP. */
final class FakeKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final AtomicInteger next = new AtomicInteger(2);
    private final Watch watch;

    FakeKubelet(KubernetesClient client) {
        this.client = client;
        client.nodes().resource(readyNode("node-1")).create();
        this.watch = client.pods().inAnyNamespace().watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                if (action != Action.DELETED && pod.getSpec().getNodeName() != null
                        && (pod.getStatus() == null || pod.getStatus().getPodIP() == null)) {
                    start(pod);
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
    }

    static io.fabric8.kubernetes.api.model.Node readyNode(String name) {
        return new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    private void start(Pod pod) {
        Pod running = new PodBuilder(pod).withNewStatus().withPhase("Running")
                .withPodIP("10.244.0." + next.getAndIncrement())
                .addNewCondition().withType("Ready").withStatus("True").withLastTransitionTime(Instant.now().toString()).endCondition()
                .endStatus().build();
        running.getMetadata().setResourceVersion(null);
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(running).updateStatus();
        } catch (KubernetesClientException e) {
            // deleted meanwhile
        }
    }

    @Override
    public void close() {
        watch.close();
        client.nodes().withName("node-1").delete();
    }
}
