package dev.junction.apiserver;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away single-member etcd on loopback for tests: random free client and peer ports, a temp
 * data dir (removed on close), stopped by its PID. {@link #start()} skips the calling test (JUnit
 * assumption) when {@code /usr/bin/etcd} is missing.
 */
final class TestEtcd implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/etcd");

    private final Process process;
    private final Path dir;
    private final int clientPort;

    private TestEtcd(Process process, Path dir, int clientPort) {
        this.process = process;
        this.dir = dir;
        this.clientPort = clientPort;
    }

    /** Starts etcd and waits until {@code /health} answers (at most 30 s). */
    static TestEtcd start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(BINARY), "skipped: " + BINARY + " is missing (apt-get install etcd-server)");
        Path dir = Files.createTempDirectory("jnt-etcd");
        int client = freePort();
        int peer = freePort();
        String c = "http://127.0.0.1:" + client;
        String p = "http://127.0.0.1:" + peer;
        Process proc = new ProcessBuilder(List.of(BINARY.toString(), "--name", "t", "--data-dir", dir.resolve("data").toString(),
                "--listen-client-urls", c, "--advertise-client-urls", c, "--listen-peer-urls", p,
                "--initial-advertise-peer-urls", p, "--initial-cluster", "t=" + p, "--log-level", "error"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
        TestEtcd etcd = new TestEtcd(proc, dir, client);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(c + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("true")) {
                    return etcd;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!proc.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        String log = Files.readString(dir.resolve("etcd.log"));
        etcd.close();
        throw new AssertionError("etcd did not become healthy: " + log);
    }

    /** The client URL, {@code http://127.0.0.1:<port>}. */
    String url() {
        return "http://127.0.0.1:" + clientPort;
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
