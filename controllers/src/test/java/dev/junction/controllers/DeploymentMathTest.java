package dev.junction.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeploymentMathTest {
    @Test
    void surgeRoundsUpUnavailableRoundsDownAndFencepostIsOne() {
        assertThat(RolloutMath.resolve(null, null, 10)).isEqualTo(new RolloutMath(3, 2));
        assertThat(RolloutMath.resolve(null, null, 2)).isEqualTo(new RolloutMath(1, 0));
        assertThat(RolloutMath.resolve(new IntOrString(0), new IntOrString("0%"), 5)).isEqualTo(new RolloutMath(0, 1));
        assertThatThrownBy(() -> RolloutMath.scaled(new IntOrString("half"), 4, true))
                .hasMessageContaining("expected: an integer or N%");
    }

    @Test
    void newReplicasStayWithinSurge() {
        RolloutMath math = new RolloutMath(1, 0);
        assertThat(math.newReplicas(3, 3, 0)).isEqualTo(1);
        assertThat(math.newReplicas(3, 4, 1)).isEqualTo(1);
        assertThat(math.newReplicas(3, 2, 2)).isEqualTo(3);
    }

    @Test
    void podTemplateHashIsStableSafeAndSensitiveToTemplateAndCollisions() {
        PodTemplateSpec a = new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "x").addToLabels("tier", "y")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("nginx:1").endContainer().endSpec().build();
        PodTemplateSpec sameOtherOrder = new PodTemplateSpecBuilder(a).editMetadata().withLabels(new java.util.TreeMap<>(
                java.util.Map.of("tier", "y", "app", "x"))).endMetadata().build();
        PodTemplateSpec withHash = new PodTemplateSpecBuilder(a).editMetadata().addToLabels("pod-template-hash", "abc")
                .endMetadata().build();
        PodTemplateSpec b = new PodTemplateSpecBuilder(a).editSpec().editFirstContainer().withImage("nginx:2")
                .endContainer().endSpec().build();
        String hash = PodTemplateHash.of(a, Optional.empty());
        assertThat(hash).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}");
        assertThat(PodTemplateHash.of(sameOtherOrder, Optional.empty())).isEqualTo(hash);
        assertThat(PodTemplateHash.of(withHash, Optional.empty())).isEqualTo(hash);
        assertThat(PodTemplateHash.of(b, Optional.empty())).isNotEqualTo(hash);
        assertThat(PodTemplateHash.of(a, Optional.of(1))).isNotEqualTo(hash);
    }
}
