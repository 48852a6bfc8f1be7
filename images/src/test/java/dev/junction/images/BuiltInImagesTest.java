package dev.junction.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltInImagesTest {
    @Test
    void recognisesStandIns() {
        for (String image : List.of("nginx", "nginx:1.27", "nginx:latest", "docker.io/library/nginx",
                "docker.io/library/nginx:1.25-alpine", "library/nginx@sha256:abc", "traefik/whoami",
                "traefik/whoami:v1.10", "docker.io/traefik/whoami:latest")) {
            assertThat(BuiltInImages.isStandIn(image)).as(image).isTrue();
        }
        assertThat(BuiltInImages.kind("nginx:1.27")).hasValue(BuiltInImages.Kind.NGINX);
        assertThat(BuiltInImages.kind("traefik/whoami")).hasValue(BuiltInImages.Kind.WHOAMI);
    }

    @Test
    void rejectsOtherImages() {
        for (String image : List.of("busybox", "nginxinc/nginx-unprivileged", "quay.io/nginx", "whoami",
                "junction/dns", "registry.k8s.io/nginx-slim:0.8", "my-nginx")) {
            assertThat(BuiltInImages.isStandIn(image)).as(image).isFalse();
        }
    }

    @Test
    void runRefusesUnknownImage() {
        assertThat(BuiltInImages.run("busybox", List.of(), List.of())).isEqualTo(2);
    }
}
