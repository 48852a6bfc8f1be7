package dev.junction.controllers;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds a pod to a node the way kube-scheduler's {@code DefaultBinder} does: {@code POST
 * /api/v1/namespaces/{ns}/pods/{name}/binding} with a {@code v1 Binding}. Servers without the
 * subresource (404, 405, or a 2xx/409 after which the pod is still unbound, checked with a GET;
 * fabric8's CRUD mock server answers 409 "Binding already exists"), get an update of {@code spec.nodeName}
 * instead (without the {@code PodScheduled=True} condition the binding subresource would add); which
 * path worked is remembered.
 */
final class Binder {
    private static final Logger LOG = LoggerFactory.getLogger(Binder.class);

    private final KubernetesClient client;
    private volatile boolean subresourceMissing;
    private volatile boolean subresourceVerified;

    Binder(KubernetesClient client) {
        this.client = requireNonNull(client, "client");
    }

    /** @throws KubernetesClientException when neither binding path succeeds */
    void bind(Pod pod, String node) throws InterruptedException {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        if (!subresourceMissing) {
            var binding = new BindingBuilder()
                    .withNewMetadata().withName(name).withNamespace(namespace).withUid(pod.getMetadata().getUid()).endMetadata()
                    .withNewTarget().withApiVersion("v1").withKind("Node").withName(node).endTarget()
                    .build();
            String base = client.getMasterUrl().toString();
            String url = (base.endsWith("/") ? base : base + "/") + "api/v1/namespaces/" + namespace + "/pods/" + name + "/binding";
            HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(url)
                    .post("application/json", Serialization.asJson(binding)).build();
            HttpResponse<String> response;
            try {
                response = client.getHttpClient().sendAsync(request, String.class).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new KubernetesClientException("binding " + namespace + "/" + name + ": " + e, e);
            }
            int code = response.code();
            if (code >= 200 && code < 300 && subresourceVerified) {
                return;
            }
            if (code >= 200 && code < 300 || code == 404 || code == 405 || code == 409) {
                Pod after = client.pods().inNamespace(namespace).withName(name).get();
                String boundTo = after == null ? null : after.getSpec().getNodeName();
                if (boundTo != null && !boundTo.isEmpty()) {
                    subresourceVerified |= code < 300 && node.equals(boundTo);
                    return; // bound now (by us, or already by someone else: 409 from a real apiserver)
                }
            } else {
                throw new KubernetesClientException("binding " + namespace + "/" + name + " to " + node + ": HTTP "
                        + code + " " + response.body(), code, null);
            }
            LOG.info("scheduler: pods/binding answered {}; binding by updating spec.nodeName", code);
            subresourceMissing = true;
        }
        Pod bound = new PodBuilder(pod).editSpec().withNodeName(node).endSpec().build();
        client.pods().inNamespace(namespace).resource(bound).update();
    }
}
