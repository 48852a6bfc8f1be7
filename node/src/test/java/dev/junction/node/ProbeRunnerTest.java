package dev.junction.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.junction.cni.NodeExec;
import dev.junction.common.CommandRunner;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Probes as the agent runs them in the lab (Java sockets from the agent's own namespace), on loopback. */
class ProbeRunnerTest {
    final ProbeRunner prober = new ProbeRunner(new NodeExec(CommandRunner.system(), Optional.empty()));
    HttpServer server;
    int port;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.createContext("/ok", e -> {
            e.sendResponseHeaders(204, -1);
            e.close();
        });
        server.createContext("/redirect", e -> {
            e.getResponseHeaders().set("Location", "/elsewhere");
            e.sendResponseHeaders(302, -1);
            e.close();
        });
        server.createContext("/bad", e -> {
            e.sendResponseHeaders(500, -1);
            e.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    Container container() {
        return new ContainerBuilder().withName("c").addNewPort().withName("http").withContainerPort(port).endPort().build();
    }

    Probe http(String path, IntOrString p) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(p).endHttpGet().build();
    }

    @Test
    void httpGetSucceedsOn200To399() {
        assertThat(prober.probe(http("/ok", new IntOrString(port)), container(), "127.0.0.1", Optional.empty())).isTrue();
        assertThat(prober.probe(http("/redirect", new IntOrString("http")), container(), "127.0.0.1", Optional.empty())).isTrue();
        assertThat(prober.probe(http("/bad", new IntOrString(port)), container(), "127.0.0.1", Optional.empty())).isFalse();
    }

    @Test
    void tcpSocketNeedsAnOpenPort() throws Exception {
        Probe open = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(port)).endTcpSocket().build();
        assertThat(prober.probe(open, container(), "127.0.0.1", Optional.empty())).isTrue();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Probe shut = new ProbeBuilder().withNewTcpSocket().withPort(new IntOrString(closed)).endTcpSocket().build();
        assertThat(prober.probe(shut, container(), "127.0.0.1", Optional.empty())).isFalse();
    }

    @Test
    void execSucceedsOnExitZero() {
        Probe yes = new ProbeBuilder().withNewExec().withCommand("sh", "-c", "exit 0").endExec().build();
        Probe no = new ProbeBuilder().withNewExec().withCommand("sh", "-c", "exit 1").endExec().build();
        assertThat(prober.probe(yes, container(), "127.0.0.1", Optional.empty())).isTrue();
        assertThat(prober.probe(no, container(), "127.0.0.1", Optional.empty())).isFalse();
    }
}
