package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class NodeRegistrationTest {
    KubernetesClient client;

    NodeRegistration registration() {
        return new NodeRegistration(client, "node-cp", "172.30.0.10", "10.244.0.0/24",
                List.of(NodeRegistration.parseTaint("node-role.kubernetes.io/control-plane:NoSchedule")));
    }

    @Test
    void registersNodeWithAddressesCidrTaintsAndReadyCondition() {
        registration().register();
        Node node = client.nodes().withName("node-cp").get();
        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "node-cp").containsEntry("kubernetes.io/os", "linux");
        assertThat(node.getSpec().getPodCIDR()).isEqualTo("10.244.0.0/24");
        assertThat(node.getSpec().getPodCIDRs()).containsExactly("10.244.0.0/24");
        assertThat(node.getSpec().getTaints()).singleElement()
                .satisfies(t -> assertThat(t.getKey() + ":" + t.getEffect()).isEqualTo("node-role.kubernetes.io/control-plane:NoSchedule"));
        assertThat(node.getStatus().getAddresses()).extracting(NodeAddress::getType, NodeAddress::getAddress)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("InternalIP", "172.30.0.10"),
                        org.assertj.core.groups.Tuple.tuple("Hostname", "node-cp"));
        assertThat(node.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("KubeletReady");
            assertThat(c.getLastHeartbeatTime()).isNotEmpty();
        });
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.33.0-junction");
        assertThat(node.getStatus().getNodeInfo().getKubeProxyVersion()).isEqualTo("v1.33.0-junction");
    }

    @Test
    void existingNodeKeepsItsTaintsAndGetsMissingOnes() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-cp").endMetadata()
                .withNewSpec().addNewTaint().withKey("other").withEffect("NoExecute").endTaint().endSpec().build()).create();
        registration().register();
        Node node = client.nodes().withName("node-cp").get();
        assertThat(node.getSpec().getTaints()).extracting(t -> t.getKey()).containsExactly("other", "node-role.kubernetes.io/control-plane");
        assertThat(node.getSpec().getPodCIDR()).isEqualTo("10.244.0.0/24");
    }

    @Test
    void heartbeatRegistersAgainAfterTheNodeWasDeleted() {
        NodeRegistration registration = registration();
        registration.register();
        client.nodes().withName("node-cp").delete();
        registration.heartbeat();
        assertThat(client.nodes().withName("node-cp").get()).isNotNull();
    }
}
