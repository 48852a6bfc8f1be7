package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerEnvTest {
    final Pod pod = new PodBuilder().withNewMetadata().withNamespace("shop").withName("cart-0").withUid("u1")
            .addToLabels("app", "cart").endMetadata().withNewSpec().withNodeName("node-a").endSpec().build();

    @Test
    void envIsExpandedInOrderWithFieldRefsAndServiceVariables() {
        Container c = new ContainerBuilder().withName("main")
                .addNewEnv().withName("GREETING").withValue("hi $(POD_NAME)").endEnv()
                .addNewEnv().withName("POD_NAME").withNewValueFrom().withNewFieldRef("v1", "metadata.name").endValueFrom().endEnv()
                .addNewEnv().withName("SAY").withValue("$(GREETING) from $(POD_NAME) on $(NODE)").endEnv()
                .addNewEnv().withName("NODE").withNewValueFrom().withNewFieldRef("v1", "spec.nodeName").endValueFrom().endEnv()
                .addNewEnv().withName("DB").withValue("$(DB_SERVICE_HOST):$(DB_SERVICE_PORT)").endEnv()
                .addNewEnv().withName("IP").withNewValueFrom().withNewFieldRef("v1", "status.podIP").endValueFrom().endEnv()
                .addNewEnv().withName("APP").withNewValueFrom().withNewFieldRef("v1", "metadata.labels['app']").endValueFrom().endEnv()
                .withCommand("sh", "-c").withArgs("echo $(SAY) $$(SAY) $(MISSING)").build();
        Map<String, String> service = Map.of("DB_SERVICE_HOST", "10.96.0.5", "DB_SERVICE_PORT", "5432");
        Map<String, String> env = ContainerEnv.build(pod, c, service, "cart-0", "10.244.1.7", "172.30.0.11");
        assertThat(env).containsEntry("GREETING", "hi $(POD_NAME)")
                .containsEntry("SAY", "hi $(POD_NAME) from cart-0 on $(NODE)")
                .containsEntry("DB", "10.96.0.5:5432")
                .containsEntry("IP", "10.244.1.7")
                .containsEntry("APP", "cart")
                .containsEntry("DB_SERVICE_HOST", "10.96.0.5")
                .containsEntry("HOSTNAME", "cart-0");
        assertThat(ContainerEnv.argv(c, env)).containsExactly("sh", "-c", "echo hi $(POD_NAME) from cart-0 on $(NODE) $(SAY) $(MISSING)");
    }

    @Test
    void containerEnvOverridesServiceVariables() {
        Container c = new ContainerBuilder().withName("main").addNewEnv().withName("DB_SERVICE_HOST").withValue("x").endEnv().build();
        assertThat(ContainerEnv.build(pod, c, Map.of("DB_SERVICE_HOST", "10.96.0.5"), "h", "ip", "host"))
                .containsEntry("DB_SERVICE_HOST", "x");
    }
}
