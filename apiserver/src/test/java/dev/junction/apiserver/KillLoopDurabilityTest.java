package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability under SIGKILL, for each storage backend (SQLite; etcd3 against a throw-away etcd that
 * keeps running while the API server process is killed): the server is killed at a random moment
 * while a client writes; after every restart each write that got a 2xx is present, and a watch from
 * the last resourceVersion the client saw either resumes or answers 410 (then a re-list works).
 * Iterations per backend: {@code -Djunction.durability.iterations} (default {@value #DEFAULT_ITERATIONS}:
 * every iteration starts a JVM, ≈10 s each on this shared 2-core machine under load; run it with
 * 100 for the full acceptance loop).
 */
class KillLoopDurabilityTest {
    /** Iterations per backend unless {@code -Djunction.durability.iterations} says otherwise. */
    static final int DEFAULT_ITERATIONS = 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "etcd3"})
    void everyAcknowledgedWriteSurvivesSigkill(String backend) throws Exception {
        int iterations = Integer.getInteger("junction.durability.iterations", DEFAULT_ITERATIONS);
        try (TestEtcd etcd = backend.equals("etcd3") ? TestEtcd.start() : null) {
            List<String> storage = etcd == null ? List.of(dir.resolve("data").toString()) : List.of("--etcd", etcd.url());
            long t0 = System.nanoTime();
            loop(iterations, storage);
            System.out.printf("kill loop %s: %d iterations in %.1f s (%.2f s/iteration)%n", backend, iterations,
                    (System.nanoTime() - t0) / 1e9, (System.nanoTime() - t0) / 1e9 / Math.max(1, iterations));
        }
    }

    private void loop(int iterations, List<String> storage) throws Exception {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicLong lastRv = new AtomicLong();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int it = 0; it <= iterations; it++) {
            Process p = start(storage);
            try {
                String base = "http://127.0.0.1:" + port(p);
                verify(client, base, acked, lastRv.get());
                if (it == iterations) {
                    break;
                }
                AtomicBoolean stop = new AtomicBoolean();
                java.util.concurrent.CountDownLatch firstAck = new java.util.concurrent.CountDownLatch(1);
                int round = it;
                Thread writer = new Thread(() -> {
                    for (int k = 0; !stop.get(); k++) {
                        String name = "d-" + round + "-" + k;
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base
                                    + "/api/v1/namespaces/default/configmaps")).timeout(Duration.ofSeconds(10))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"metadata\":{\"name\":\"" + name + "\"}}"))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() / 100 == 2) {
                                acked.add(name);
                                firstAck.countDown();
                                lastRv.accumulateAndGet(Json.MAPPER.readTree(r.body()).at("/metadata/resourceVersion").asLong(),
                                        Math::max);
                            }
                        } catch (Exception e) {
                            return; // the server is gone
                        }
                    }
                });
                writer.start();
                // a cold JVM may take longer than the kill delay for its first write: kill at a
                // random moment after writes are flowing, so that every iteration tests something
                firstAck.await(20, TimeUnit.SECONDS);
                Thread.sleep(ThreadLocalRandom.current().nextInt(0, 300));
                p.destroyForcibly(); // SIGKILL
                p.waitFor(10, TimeUnit.SECONDS);
                stop.set(true);
                writer.join(15_000);
            } finally {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(acked).isNotEmpty();
    }

    private void verify(HttpClient client, String base, Set<String> acked, long lastRv) throws Exception {
        JsonNode list = Json.MAPPER.readTree(client.send(HttpRequest.newBuilder(URI.create(base
                + "/api/v1/namespaces/default/configmaps")).build(), HttpResponse.BodyHandlers.ofString()).body());
        Set<String> present = new HashSet<>(list.path("items").findValuesAsText("name"));
        assertThat(present).containsAll(acked);
        assertThat(list.at("/metadata/resourceVersion").asLong()).isGreaterThanOrEqualTo(lastRv);
        if (lastRv > 0) {
            HttpResponse<java.io.InputStream> w = client.send(HttpRequest.newBuilder(URI.create(base
                    + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&resourceVersion=" + lastRv)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (w.statusCode() == 410) {
                w.body().close();
                return; // compacted: the client re-lists, which the list above just did
            }
            assertThat(w.statusCode()).isEqualTo(200);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(w.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    JsonNode ev = Json.MAPPER.readTree(line);
                    if (ev.path("type").asText().equals("ERROR")) {
                        assertThat(ev.at("/object/code").asInt()).isEqualTo(410);
                        return;
                    }
                    assertThat(ev.at("/object/metadata/resourceVersion").asLong()).isGreaterThan(lastRv);
                }
            }
        }
    }

    /**
     * Starts the server JVM tuned for start-up: C1 only, serial GC, small heap, the JDK's default
     * CDS archive (an AppCDS archive cannot be dumped while the test class path holds directories).
     */
    private Process start(List<String> storage) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx256m", "-XX:-UsePerfData", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), ApiServerProcessMain.class.getName()));
        cmd.addAll(storage);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("server.err").toFile())).start();
    }

    private int port(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String line;
        while ((line = r.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                return Integer.parseInt(line.substring(5).trim());
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        Path err = dir.resolve("server.err");
        String log = java.nio.file.Files.exists(err) ? java.nio.file.Files.readString(err) : "";
        throw new AssertionError("API server process did not start (exit " + (p.isAlive() ? "none" : p.exitValue())
                + "); its stderr ends with:\n" + log.substring(Math.max(0, log.length() - 3000)));
    }
}
