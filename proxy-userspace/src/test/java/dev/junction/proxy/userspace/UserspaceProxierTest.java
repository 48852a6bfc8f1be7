package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.proxy.EndpointInfo;
import dev.junction.proxy.EndpointsMap;
import dev.junction.proxy.NodeInfo;
import dev.junction.proxy.Protocol;
import dev.junction.proxy.ProxySnapshot;
import dev.junction.proxy.ServicePortInfo;
import dev.junction.proxy.ServicePortMap;
import dev.junction.proxy.ServicePortName;
import dev.junction.proxy.SessionAffinity;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The userspace proxy with real sockets on loopback (ephemeral ports, no iptables), once per
 * transport ({@link EpollUserspaceProxierTest}, {@link NioUserspaceProxierTest}).
 */
abstract class UserspaceProxierTest {
    static final ServicePortName WEB = new ServicePortName("default", "web", "http", Protocol.TCP);
    static final ServicePortName DNS = new ServicePortName("kube-system", "dns", "dns", Protocol.UDP);
    static final NodeInfo NODE = NodeInfo.named("n");

    private NamedServer a;
    private NamedServer b;
    private UserspaceProxier proxier;

    @BeforeEach
    void start() throws IOException {
        a = new NamedServer("server-a");
        b = new NamedServer("server-b");
        proxier = new UserspaceProxier("127.0.0.1", Scheduler.RR, Duration.ofMillis(200), Optional.empty(), List.of(),
                transport(), UserspaceProxier.DEFAULT_FULL_SYNC_PERIOD, System::nanoTime);
    }

    /** The transport under test. */
    abstract NettyTransport transport();

    @Test
    void runsOnTheTransportUnderTest() throws Exception {
        assertThat(proxier.transport()).isEqualTo(transport());
        proxier.sync(web(ServicePortInfo.clusterIP("10.96.0.5", 80, Protocol.TCP), EndpointInfo.ready("127.0.0.1", a.port())), NODE);
        assertThat(request(proxier.listenerPort(WEB).orElseThrow())).isEqualTo("server-a");
    }

    @AfterEach
    void stop() throws IOException {
        proxier.close();
        a.close();
        b.close();
    }

    private static ProxySnapshot web(ServicePortInfo info, EndpointInfo... endpoints) {
        return new ProxySnapshot(ServicePortMap.of(Map.of(WEB, info)), EndpointsMap.of(Map.of(WEB, List.of(endpoints))));
    }

    @Test
    void deadBackendIsSkippedWithoutAFailedRequest() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        proxier.sync(web(ServicePortInfo.clusterIP("10.96.0.5", 80, Protocol.TCP),
                EndpointInfo.ready("127.0.0.1", dead), EndpointInfo.ready("127.0.0.1", a.port()),
                EndpointInfo.ready("127.0.0.1", b.port())), NODE);
        int port = proxier.listenerPort(WEB).orElseThrow();
        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            String answer = request(port);
            assertThat(answer).as("request %d", i).isIn("server-a", "server-b");
            answers.add(answer);
        }
        assertThat(answers).containsExactlyInAnyOrder("server-a", "server-b");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(proxier.balancer(WEB).orElseThrow().activeOf(EndpointInfo.ready("127.0.0.1", a.port()))).isZero());
    }

    @Test
    void clientIpAffinityKeepsOneBackendAndEndpointChangesApply() throws Exception {
        ServicePortInfo sticky = ServicePortInfo.clusterIP("10.96.0.5", 80, Protocol.TCP)
                .withSessionAffinity(SessionAffinity.clientIp(10800));
        proxier.sync(web(sticky, EndpointInfo.ready("127.0.0.1", a.port()), EndpointInfo.ready("127.0.0.1", b.port())), NODE);
        int port = proxier.listenerPort(WEB).orElseThrow();
        Set<String> answers = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            answers.add(request(port));
        }
        assertThat(answers).hasSize(1);

        proxier.sync(web(sticky, EndpointInfo.ready("127.0.0.1", b.port())), NODE);
        assertThat(proxier.listenerPort(WEB)).as("same listener").contains(port);
        assertThat(request(port)).isEqualTo("server-b");

        proxier.sync(web(sticky), NODE);
        assertThat(request(port)).as("no endpoints: closed at once").isEmpty();

        proxier.sync(ProxySnapshot.EMPTY, NODE);
        assertThat(proxier.listenerPort(WEB)).isEmpty();
    }

    @Test
    void relaysLargeTransfersBothWays() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException ignored) {
                    // test ends
                }
            });
            proxier.sync(web(ServicePortInfo.clusterIP("10.96.0.5", 80, Protocol.TCP),
                    EndpointInfo.ready("127.0.0.1", echo.getLocalPort())), NODE);
            byte[] payload = new byte[4 * 1024 * 1024];
            new java.util.Random(1).nextBytes(payload);
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxier.listenerPort(WEB).orElseThrow())) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        client.getOutputStream().write(payload);
                        client.shutdownOutput();
                    } catch (IOException ignored) {
                        // reported by the read below
                    }
                });
                byte[] back = client.getInputStream().readAllBytes();
                writer.join();
                assertThat(back).isEqualTo(payload);
            }
        }
    }

    @Test
    void udpSessionsRelayAndExpireWhenIdle() throws Exception {
        try (DatagramSocket backend = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[1500];
                while (!backend.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        backend.receive(p);
                        byte[] reply = ("echo:" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.UTF_8);
                        backend.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            proxier.sync(new ProxySnapshot(ServicePortMap.of(Map.of(DNS, ServicePortInfo.clusterIP("10.96.0.10", 53, Protocol.UDP))),
                    EndpointsMap.of(Map.of(DNS, List.of(EndpointInfo.ready("127.0.0.1", backend.getLocalPort()))))), NODE);
            InetSocketAddress listener = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    proxier.listenerPort(DNS).orElseThrow());
            client.setSoTimeout(5000);
            for (String q : List.of("one", "two")) {
                byte[] data = q.getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(data, data.length, listener));
                DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
                client.receive(reply);
                assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("echo:" + q);
                assertThat(reply.getPort()).as("replies come from the listener").isEqualTo(listener.getPort());
            }
            UdpProxyListener udp = proxier.udpListener(DNS).orElseThrow();
            assertThat(udp.sessions()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> udp.sessions() == 0);
        }
    }

    private static String request(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    /** Answers every connection with its name and closes it. */
    static final class NamedServer implements AutoCloseable {
        private final ServerSocket socket;

        NamedServer(String name) throws IOException {
            socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
