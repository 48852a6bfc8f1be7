package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltInImageResolverTest {
    final BuiltInImageResolver resolver = new BuiltInImageResolver(List.of("junction", "image"));

    @Test
    void builtInImagesRunThroughTheRunner() {
        var c = new ContainerBuilder().withName("web").withImage("docker.io/library/nginx:1.27")
                .addNewPort().withContainerPort(80).endPort().addNewPort().withContainerPort(8443).endPort()
                .withArgs("--flag").build();
        assertThat(resolver.argvFor(c)).contains(List.of("junction", "image", "docker.io/library/nginx:1.27",
                "--container-port=80", "--container-port=8443", "--", "--flag"));
        assertThat(resolver.argvFor(new ContainerBuilder().withImage("traefik/whoami").build())).isPresent();
        assertThat(resolver.argvFor(new ContainerBuilder().withImage("junction/dns:latest").build())).isPresent();
    }

    @Test
    void otherImagesAreNotRunnable() {
        assertThat(resolver.argvFor(new ContainerBuilder().withImage("busybox").build())).isEmpty();
        assertThat(resolver.argvFor(new ContainerBuilder().withImage("nginxinc/nginx-unprivileged").build())).isEmpty();
        assertThat(new BuiltInImageResolver(List.of()).argvFor(new ContainerBuilder().withImage("nginx").build())).isEmpty();
    }

    @Test
    void repositoryStripsRegistryTagAndDigest() {
        assertThat(BuiltInImageResolver.repository("localhost:5000/junction/dns:v1@sha256:abc")).isEqualTo("localhost:5000/junction/dns");
        assertThat(BuiltInImageResolver.repository("nginx@sha256:abc")).isEqualTo("nginx");
    }
}
