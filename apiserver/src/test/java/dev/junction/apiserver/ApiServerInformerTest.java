package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fabric8 client, unchanged, against this server: CRUD and a SharedIndexInformer (list + watch). */
class ApiServerInformerTest {
    @TempDir
    Path dir;

    @Test
    void informerSeesAddsUpdatesAndDeletes() {
        try (ApiServer server = ApiServer.builder().dataDir(dir).bindAddress("127.0.0.1").port(0).advertiseAddress("127.0.0.1")
                .build().start();
                KubernetesClient client = KubeClients.create(Optional.of(server.url()), Optional.empty())) {
            List<String> seen = new CopyOnWriteArrayList<>();
            SharedIndexInformer<Service> informer = client.services().inNamespace("default").inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Service s) {
                    seen.add("add " + s.getMetadata().getName());
                }

                @Override
                public void onUpdate(Service oldObj, Service newObj) {
                    if (!oldObj.getMetadata().getResourceVersion().equals(newObj.getMetadata().getResourceVersion())) {
                        seen.add("update " + newObj.getMetadata().getName());
                    }
                }

                @Override
                public void onDelete(Service s, boolean unknownFinalState) {
                    seen.add("delete " + s.getMetadata().getName());
                }
            });
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("add kubernetes"));
                Service created = client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata()
                        .withName("web").endMetadata().withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
                assertThat(created.getSpec().getClusterIP()).startsWith("10.");
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("add web"));
                client.services().inNamespace("default").withName("web").edit(s -> new ServiceBuilder(s).editMetadata()
                        .addToLabels("tier", "fe").endMetadata().build());
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("update web"));
                client.services().inNamespace("default").withName("web").delete();
                await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("delete web"));
                assertThat(informer.getStore().list()).extracting(s -> s.getMetadata().getName()).containsExactly("kubernetes");
            } finally {
                informer.close();
            }
        }
    }
}
