package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The binding subresource path against a fake API server that implements it like kube-apiserver. */
class BinderTest {
    @Test
    void postsBindingToThePodSubresource() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        String[] boundTo = {null};
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/api/v1/namespaces/default/pods/web-1", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " " + body);
            byte[] out;
            int code;
            if (ex.getRequestURI().getPath().endsWith("/binding") && "POST".equals(ex.getRequestMethod())) {
                var binding = Serialization.unmarshal(body, io.fabric8.kubernetes.api.model.Binding.class);
                boundTo[0] = binding.getTarget().getName();
                code = 201;
                out = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\",\"code\":201}".getBytes(StandardCharsets.UTF_8);
            } else {
                code = 200;
                Pod pod = new PodBuilder().withNewMetadata().withName("web-1").withNamespace("default").endMetadata()
                        .withNewSpec().withNodeName(boundTo[0]).endSpec().build();
                out = Serialization.asJson(pod).getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(code, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        try (var client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(io.fabric8.kubernetes.client.Config.empty())
                .withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort()).build()).build()) {
            Pod pod = new PodBuilder().withNewMetadata().withName("web-1").withNamespace("default").withUid("u1")
                    .endMetadata().withNewSpec().endSpec().build();
            new Binder(client).bind(pod, "node-a");
        } finally {
            server.stop(0);
        }
        assertThat(boundTo[0]).isEqualTo("node-a");
        assertThat(requests.get(0)).startsWith("POST /api/v1/namespaces/default/pods/web-1/binding ")
                .contains("\"kind\":\"Binding\"").contains("\"uid\":\"u1\"");
        assertThat(requests).noneMatch(r -> r.startsWith("PUT"));
    }
}
