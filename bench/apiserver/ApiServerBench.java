import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load driver for the API server: creates SERVICES Services with CLIENTS concurrent keep-alive
 * clients while WATCHERS watches on services run, then SLICES EndpointSlices of 100 endpoints
 * each, and prints objects/s, request latency p50/p99, watch delivery latency p50/p99 (event
 * arrival minus the moment the create's 2xx arrived, clamped at 0) and the server's VmRSS.
 * Usage: java [-Dbench.warmup=none|get:N|dryrun:N] ApiServerBench.java URL SERVER_PID [services=10000] [slices=1000] [clients=8] [watchers=10]
 */
public class ApiServerBench {
    public static void main(String[] a) throws Exception {
        String url = a[0];
        long pid = Long.parseLong(a[1]);
        int services = a.length > 2 ? Integer.parseInt(a[2]) : 10_000;
        int slices = a.length > 3 ? Integer.parseInt(a[3]) : 1_000;
        int clients = a.length > 4 ? Integer.parseInt(a[4]) : 8;
        int watchers = a.length > 5 ? Integer.parseInt(a[5]) : 10;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        http.send(post(url + "/api/v1/namespaces", "{\"metadata\":{\"name\":\"bench\"}}"), HttpResponse.BodyHandlers.discarding());
        warmUp(url, clients, System.getProperty("bench.warmup", "none"));

        Map<String, Long> acked = new ConcurrentHashMap<>();
        List<Long> delivery = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch allSeen = new CountDownLatch(watchers);
        String rv = extract(http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/bench/services?limit=1")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), "\"resourceVersion\":\"");
        List<Thread> watchThreads = new ArrayList<>();
        for (int w = 0; w < watchers; w++) {
            Thread t = new Thread(() -> {
                try {
                    HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    HttpResponse<java.io.InputStream> res = own.send(HttpRequest.newBuilder(URI.create(url
                            + "/api/v1/namespaces/bench/services?watch=true&resourceVersion=" + rv)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    int seen = 0;
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                        String line;
                        while (seen < services && (line = r.readLine()) != null) {
                            long now = System.nanoTime();
                            if (!line.contains("\"ADDED\"")) {
                                continue;
                            }
                            seen++;
                            String name = extract(line, "\"name\":\"");
                            Long t0 = acked.get(name);
                            delivery.add(t0 == null ? 0 : Math.max(0, now - t0));
                        }
                    }
                } catch (Exception e) {
                    System.err.println("watcher: " + e);
                } finally {
                    allSeen.countDown();
                }
            });
            t.setDaemon(true);
            t.start();
            watchThreads.add(t);
        }
        Thread.sleep(500);

        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        long cpu0 = cpuMillis(pid);
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                int i;
                while ((i = next.getAndIncrement()) < services) {
                    String name = "svc-" + i;
                    String body = "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"selector\":"
                            + "{\"app\":\"" + name + "\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080}]}}";
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = own.send(post(url + "/api/v1/namespaces/bench/services", body),
                                HttpResponse.BodyHandlers.ofString());
                        long t1 = System.nanoTime();
                        if (r.statusCode() / 100 == 2) {
                            acked.put(name, t1);
                            latencies.add(t1 - t0);
                        } else {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        double secs = (System.nanoTime() - start) / 1e9;
        long cpu = cpuMillis(pid) - cpu0;
        boolean complete = allSeen.await(120, TimeUnit.SECONDS);
        System.out.printf("services: %d created in %.1f s = %.0f objects/s (%d failures), %d clients%n",
                latencies.size(), secs, latencies.size() / secs, failures.get(), clients);
        // CPU is the figure that load on a shared machine changes least (wall latency waits for the CPU)
        System.out.printf("server CPU: %.3f ms per create (user+sys of pid %d, %d ms over the create phase)%n",
                (double) cpu / Math.max(1, latencies.size()), pid, cpu);
        System.out.printf("create latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", pct(latencies, 50), pct(latencies, 99),
                pct(latencies, 100));
        // The same, without the first 10% of requests (both JVMs still compiling the hot paths).
        List<Long> warm = new ArrayList<>(latencies.subList(latencies.size() / 10, latencies.size()));
        System.out.printf("create latency after the first 10 %% of the creates: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", pct(warm, 50),
                pct(warm, 99), pct(warm, 100));
        // p99 per tenth of the run, in completion order: where the slow requests are (warm-up or not)
        StringBuilder tenths = new StringBuilder();
        for (int t = 0; t < 10; t++) {
            List<Long> part = new ArrayList<>(latencies.subList(latencies.size() * t / 10, latencies.size() * (t + 1) / 10));
            long over50 = part.stream().filter(ns -> ns > 50_000_000L).count();
            tenths.append(String.format(" %.0f(%d)", pct(part, 99), over50));
        }
        System.out.println("create p99 per tenth of the run, ms (requests over 50 ms):" + tenths);
        System.out.printf("watch delivery to %d watchers (%d events%s): p50 %.1f ms, p99 %.1f ms%n", watchers, delivery.size(),
                complete ? "" : ", INCOMPLETE", pct(delivery, 50), pct(delivery, 99));
        System.out.printf("RSS at %d services: %d MiB%n", services, rss(pid));

        List<Long> sliceLat = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger nextSlice = new AtomicInteger();
        ExecutorService pool2 = Executors.newFixedThreadPool(clients);
        long s0 = System.nanoTime();
        long sliceCpu0 = cpuMillis(pid);
        for (int c = 0; c < clients; c++) {
            pool2.submit(() -> {
                HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                int i;
                while ((i = nextSlice.getAndIncrement()) < slices) {
                    StringBuilder eps = new StringBuilder();
                    for (int e = 0; e < 100; e++) {
                        int n = i * 100 + e;
                        eps.append(e == 0 ? "" : ",").append("{\"addresses\":[\"10.").append(128 + n / 65536).append('.')
                                .append(n / 256 % 256).append('.').append(n % 256).append("\"],\"conditions\":{\"ready\":true}}");
                    }
                    String body = "{\"metadata\":{\"name\":\"slice-" + i + "\",\"labels\":{\"kubernetes.io/service-name\":\"svc-"
                            + (i % Math.max(1, services)) + "\"}},\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"http\",\"port\":8080}],"
                            + "\"endpoints\":[" + eps + "]}";
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = own.send(post(url + "/apis/discovery.k8s.io/v1/namespaces/bench/endpointslices", body),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() / 100 == 2) {
                            sliceLat.add(System.nanoTime() - t0);
                        } else if (sliceLat.isEmpty()) {
                            System.err.println("slice: " + r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        System.err.println("slice: " + e);
                    }
                }
                return null;
            });
        }
        pool2.shutdown();
        pool2.awaitTermination(1, TimeUnit.HOURS);
        double s2 = (System.nanoTime() - s0) / 1e9;
        long sliceCpu = cpuMillis(pid) - sliceCpu0;
        List<Long> warmSlices = new ArrayList<>(sliceLat.subList(sliceLat.size() / 10, sliceLat.size()));
        System.out.printf("endpointslices: %d x 100 endpoints in %.1f s, create p50 %.1f ms, p99 %.1f ms (after the first 10 %%: p99 %.1f ms),"
                + " server CPU %.2f ms per create%n", sliceLat.size(), s2, pct(sliceLat, 50), pct(sliceLat, 99), pct(warmSlices, 99),
                (double) sliceCpu / Math.max(1, sliceLat.size()));
        System.out.printf("RSS at %d services + %d endpoints: %d MiB%n", services, sliceLat.size() * 100, rss(pid));
        System.exit(0);
    }

    /**
     * Warms the load generator's own JVM (and, for dryrun, the server's create path) before anything
     * is measured: {@code none}; {@code get:N}, N list requests ({@code GET services?limit=1}) spread
     * over the clients; {@code dryrun:N}, N Service creates with {@code ?dryRun=All} (admitted,
     * validated and defaulted by the server, never stored: no watch event, no allocation kept).
     */
    static void warmUp(String url, int clients, String spec) throws Exception {
        if (spec.equals("none")) {
            return;
        }
        String kind = spec.substring(0, spec.indexOf(':'));
        int n = Integer.parseInt(spec.substring(spec.indexOf(':') + 1));
        if (!kind.equals("get") && !kind.equals("dryrun")) {
            throw new IllegalArgumentException("bench.warmup: " + spec + " (expected: none, get:N or dryrun:N)");
        }
        long t0 = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger bad = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            pool.submit(() -> {
                HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    HttpRequest req = kind.equals("get")
                            ? HttpRequest.newBuilder(URI.create(url + "/api/v1/namespaces/bench/services?limit=1")).build()
                            : post(url + "/api/v1/namespaces/bench/services?dryRun=All", "{\"metadata\":{\"name\":\"warm-" + i
                                    + "\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"selector\":{\"app\":\"warm\"},"
                                    + "\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080}]}}");
                    if (own.send(req, HttpResponse.BodyHandlers.ofString()).statusCode() / 100 != 2) {
                        bad.incrementAndGet();
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        System.out.printf("warm-up: %d %s requests in %.1f s (%d not 2xx), not measured%n", n, kind,
                (System.nanoTime() - t0) / 1e9, bad.get());
    }

    static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    static String extract(String s, String prefix) {
        int i = s.indexOf(prefix);
        return i < 0 ? "" : s.substring(i + prefix.length(), s.indexOf('"', i + prefix.length()));
    }

    static double pct(List<Long> values, int p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Long> v = new ArrayList<>(values);
        Collections.sort(v);
        int idx = Math.min(v.size() - 1, (int) Math.ceil(p / 100.0 * v.size()) - 1);
        return v.get(Math.max(0, idx)) / 1e6;
    }

    /** utime + stime of {@code pid} in ms ({@code /proc/<pid>/stat} fields 14 and 15, in clock ticks of 10 ms). */
    static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    static long rss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
