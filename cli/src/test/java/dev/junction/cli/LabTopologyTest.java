package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabTopologyTest {

    @Test
    void controlPlaneThenWorkersWithOneSlash24Each() {
        LabTopology lab = LabTopology.of(2);
        assertThat(lab.nodes()).extracting(LabNode::name).containsExactly("jn-node-cp", "jn-node-a", "jn-node-b");
        assertThat(lab.nodes()).extracting(LabNode::ip).containsExactly("172.30.0.10", "172.30.0.11", "172.30.0.12");
        assertThat(lab.nodes()).extracting(LabNode::podCidr).containsExactly("10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24");
        assertThat(lab.controlPlane().controlPlane()).isTrue();
        assertThat(lab.workers()).noneMatch(LabNode::controlPlane);
        assertThat(lab.apiServerUrl()).isEqualTo("https://172.30.0.10:6443");
    }

    @Test
    void rejectsImpossibleNodeCounts() {
        assertThatThrownBy(() -> LabTopology.of(0)).hasMessage("nodes: 0 (expected: 1-20)");
        assertThatThrownBy(() -> LabTopology.of(21)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void supervisorRunsEveryComponentInsideItsNodeNetnsOnly() {
        LabPaths paths = new LabPaths(Path.of("/tmp/jn-test-home"));
        List<Component> components = SupervisorCommand.components(paths, new LabState(2, "iptables", 1));
        assertThat(components).extracting(Component::name)
                .containsExactly("apiserver", "controllers", "node-jn-node-cp", "node-jn-node-a", "node-jn-node-b");
        for (Component c : components) {
            assertThat(c.argv().subList(0, 3)).as(c.name()).first().isEqualTo("nsenter");
            assertThat(c.argv().get(1)).startsWith("--net=/var/run/netns/jn-node-");
            assertThat(c.argv()).contains(Junction.class.getName());
        }
        assertThat(components.get(0).argv()).contains("--unix-socket=/tmp/jn-test-home/run/apiserver.sock", "--advertise-address=172.30.0.10");
        assertThat(components.get(2).argv()).contains("--register-with-taints=node-role.kubernetes.io/control-plane:NoSchedule");
        assertThat(components.get(3).argv()).contains("--pod-cidr=10.244.1.0/24", "--node-ip=172.30.0.11")
                .noneMatch(a -> a.startsWith("--register-with-taints"));
    }

    @Test
    void kubeconfigPointsAtTheRelay() {
        assertThat(Kubeconfig.render("http://127.0.0.1:6443")).contains("server: http://127.0.0.1:6443", "current-context: junction");
    }

    @Test
    void recognisesTheDnsImage() {
        assertThat(ImageCommand.isDns("junction/dns")).isTrue();
        assertThat(ImageCommand.isDns("junction/dns:latest")).isTrue();
        assertThat(ImageCommand.isDns("registry.local:5000/junction/dns:1")).isTrue();
        assertThat(ImageCommand.isDns("nginx")).isFalse();
    }

    @org.junit.jupiter.api.Test
    void nettyFlagsOnlyAskForUnsafeMemoryAccessWhereTheJdkKnowsTheFlag() {
        assertThat(JvmCommand.nettyFlags(21)).contains("-Dio.netty.tryReflectionSetAccessible=true")
                .noneMatch(f -> f.startsWith("--sun-misc-unsafe-memory-access"));
        assertThat(JvmCommand.nettyFlags(25)).contains("--sun-misc-unsafe-memory-access=allow");
    }

    @Test
    void componentFlagsGoBeforeTheClasspathAndTheSubcommand() {
        java.util.List<String> argv = JvmCommand.of(java.nio.file.Path.of("/tmp/cds"), "apiserver", 768,
                SupervisorCommand.APISERVER_JVM_FLAGS, java.util.List.of("apiserver", "--port=6443"));
        assertThat(argv).contains("-Xmx768m", "-Xmn24m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        assertThat(argv.indexOf("-Xmn24m")).isLessThan(argv.indexOf("-cp"));
        assertThat(argv.indexOf("-XX:TieredStopAtLevel=1")).isLessThan(argv.indexOf("-cp"));
        assertThat(argv.subList(argv.size() - 2, argv.size())).containsExactly("apiserver", "--port=6443");
        assertThat(JvmCommand.of(java.nio.file.Path.of("/tmp/cds"), "node", 1024, java.util.List.of("node")))
                .noneMatch(f -> f.startsWith("-Xmn") || f.startsWith("-XX:TieredStopAtLevel"));
    }
}
