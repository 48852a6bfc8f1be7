package dev.junction.controllers;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HashMap;
import java.util.Map;

/** Applies a {@link SliceReconciler.Plan} through the API: creates, then updates, then deletes. */
final class SliceWriter {
    private SliceWriter() {
    }

    /**
     * @return the slices written: name → resourceVersion the server returned ("" for deleted ones)
     * @throws KubernetesClientException on the first failed write
     */
    static Map<String, String> apply(KubernetesClient client, String namespace, SliceReconciler.Plan plan) {
        Map<String, String> written = new HashMap<>();
        var slices = client.discovery().v1().endpointSlices().inNamespace(namespace);
        for (var slice : plan.create()) {
            written.put(slice.getMetadata().getName(), slices.resource(slice).create().getMetadata().getResourceVersion());
        }
        for (var slice : plan.update()) {
            written.put(slice.getMetadata().getName(), slices.resource(slice).update().getMetadata().getResourceVersion());
        }
        for (String name : plan.delete()) {
            slices.withName(name).delete();
            written.put(name, "");
        }
        return written;
    }
}
