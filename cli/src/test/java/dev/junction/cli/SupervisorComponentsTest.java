package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SupervisorComponentsTest {
    private final LabPaths paths = new LabPaths(Path.of("/tmp/jn-test-home"));

    @Test
    void sqliteLabRunsOneTlsApiServerWithItsDataDir() {
        List<Component> components = SupervisorCommand.components(paths, new LabState(2, "iptables", 0));
        assertThat(components).extracting(Component::name)
                .containsExactly("apiserver", "controllers", "node-jn-node-cp", "node-jn-node-a", "node-jn-node-b");
        assertThat(components.get(0).argv()).contains("--data-dir=" + paths.apiserverData(), "--port=6443",
                "--token-auth-file=" + paths.pki().resolve("tokens.csv")).noneMatch(a -> a.startsWith("--storage-backend"));
        assertThat(components.get(1).argv()).contains("--kubeconfig=" + paths.componentKubeconfig("controllers"));
        assertThat(components.get(3).argv()).contains("--kubeconfig=" + paths.componentKubeconfig("node-jn-node-a"));
    }

    @Test
    void etcdLabRunsAnEtcdMemberAndTwoApiServersSharingIt() {
        List<Component> components = SupervisorCommand.components(paths, new LabState(2, "iptables", 0, "etcd3", 2));
        assertThat(components).extracting(Component::name)
                .startsWith("etcd", "apiserver", "apiserver-2", "controllers");
        assertThat(components.get(0).argv()).contains("etcd", "--data-dir=" + paths.etcdData(), "--name=jn-etcd");
        assertThat(components.get(0).argv().get(0)).isEqualTo("nsenter");
        for (Component apiserver : components.subList(1, 3)) {
            assertThat(apiserver.argv()).contains("--storage-backend=etcd3", "--etcd-servers=http://127.0.0.1:2379", "--advertise-port=6443")
                    .noneMatch(a -> a.startsWith("--data-dir="));
        }
        assertThat(components.get(1).argv()).contains("--port=6443", "--unix-socket=" + paths.apiSocket());
        assertThat(components.get(2).argv()).contains("--port=6444", "--unix-socket=" + paths.apiSocket(1));
    }
}
