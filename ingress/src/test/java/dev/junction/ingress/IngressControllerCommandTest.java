package dev.junction.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The picocli surface, the builder's argument checks and the add-on manifest. */
class IngressControllerCommandTest {

    @Test
    void defaults() {
        IngressControllerCommand cmd = new IngressControllerCommand();
        new CommandLine(cmd).parseArgs();
        assertThat(cmd.httpPort).isEqualTo(80);
        assertThat(cmd.httpsPort).isEqualTo(443);
        assertThat(cmd.healthPort).isEqualTo(10254);
        assertThat(cmd.ingressClass).isEqualTo("junction");
        assertThat(cmd.controllerName).isEqualTo("junction.dev/ingress-controller");
        assertThat(cmd.proxyProtocol).isFalse();
        assertThat(cmd.publishService).isNull();
        CommandLine line = new CommandLine(new IngressControllerCommand());
        assertThat(line.getCommandName()).isEqualTo("ingress");
    }

    @Test
    void options() {
        IngressControllerCommand cmd = new IngressControllerCommand();
        new CommandLine(cmd).parseArgs("--server=http://10.96.0.1:443", "--http-port=8080", "--https-port=-1",
                "--publish-service=ingress-junction/ingress-junction-controller", "--default-ssl-certificate=default/cert",
                "--enable-proxy-protocol", "--ingress-class=nginx");
        assertThat(cmd.server).isEqualTo("http://10.96.0.1:443");
        assertThat(cmd.httpPort).isEqualTo(8080);
        assertThat(cmd.httpsPort).isEqualTo(-1);
        assertThat(cmd.publishService).isEqualTo("ingress-junction/ingress-junction-controller");
        assertThat(cmd.proxyProtocol).isTrue();
    }

    @Test
    void builderRejectsBadArguments() {
        assertThatThrownBy(() -> IngressController.builder().httpPort(70000))
                .hasMessage("httpPort: 70000 (expected: -1 (off), 0 (ephemeral) or 1-65535)");
        assertThatThrownBy(() -> IngressController.builder().publishService("no-slash"))
                .hasMessage("publishService: no-slash (expected: namespace/name)");
        assertThatThrownBy(() -> IngressController.builder().build()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void addonManifest() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/addons/ingress.yaml")) {
            List<HasMetadata> objects = Serialization.unmarshal(in);
            assertThat(objects).extracting(HasMetadata::getKind)
                    .containsExactly("Namespace", "IngressClass", "Deployment", "Service");
            IngressClass cls = (IngressClass) objects.get(1);
            assertThat(cls.getSpec().getController()).isEqualTo("junction.dev/ingress-controller");
            Deployment d = (Deployment) objects.get(2);
            assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                    .contains("--server=http://10.96.0.1:443", "--publish-service=ingress-junction/ingress-junction-controller");
        }
    }
}
