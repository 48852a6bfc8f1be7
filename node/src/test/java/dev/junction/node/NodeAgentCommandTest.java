package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class NodeAgentCommandTest {

    @Test
    void defaults() {
        NodeAgentCommand cmd = new NodeAgentCommand();
        new CommandLine(cmd).parseArgs("--node-name=node-a", "--node-ip=172.30.0.11", "--pod-cidr=10.244.1.0/24",
                "--register-with-taints=node-role.kubernetes.io/control-plane:NoSchedule", "--register-with-taints=a=b:NoExecute",
                "--image-runner=java -jar junction.jar image");
        assertThat(new CommandLine(cmd).getCommandName()).isEqualTo("node-agent");
        assertThat(cmd.clusterDns).containsExactly("10.96.0.10");
        assertThat(cmd.clusterDomain).isEqualTo("cluster.local");
        assertThat(cmd.healthzPort).isEqualTo(10248);
        assertThat(cmd.dataDir()).isEqualTo(Path.of("/var/lib/junction/nodes/node-a"));
        assertThat(cmd.taints).hasSize(2);
        assertThat(cmd.imageRunner).isEqualTo("java -jar junction.jar image");
    }

    @Test
    void taints() {
        var t = NodeRegistration.parseTaint("node-role.kubernetes.io/control-plane:NoSchedule");
        assertThat(t.getKey()).isEqualTo("node-role.kubernetes.io/control-plane");
        assertThat(t.getValue()).isNull();
        assertThat(t.getEffect()).isEqualTo("NoSchedule");
        var kv = NodeRegistration.parseTaint("dedicated=infra:NoExecute");
        assertThat(kv.getKey() + "=" + kv.getValue() + ":" + kv.getEffect()).isEqualTo("dedicated=infra:NoExecute");
        assertThatThrownBy(() -> NodeRegistration.parseTaint("x=y:Sometimes")).hasMessageStartingWith("taint: x=y:Sometimes (expected:");
    }
}
