package dev.junction.ingress;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Prometheus metrics with ingress-nginx's names (kubernetes/ingress-nginx
 * {@code internal/ingress/metric/collectors/socket.go}):
 * <ul>
 *   <li>{@code nginx_ingress_controller_requests{namespace,ingress,service,status}} — counter of
 *       requests (ingress/service empty for requests no rule matched);</li>
 *   <li>{@code nginx_ingress_controller_response_duration_seconds{namespace,ingress,service}} —
 *       histogram of the time from sending the request upstream to the end of the response,
 *       seconds;</li>
 *   <li>{@code junction_ingress_upstream_connect_failures_total{namespace,service}} — connects
 *       that failed and were retried on another endpoint (or answered 502);</li>
 *   <li>{@code junction_ingress_route_table_generation}, {@code junction_ingress_rejected_ingresses}.</li>
 * </ul>
 */
public final class IngressMetrics {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private record RequestKey(String namespace, String ingress, String service, int status) {
    }

    private record RouteKey(String namespace, String ingress, String service) {
    }

    private static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
        final LongAdder sumMicros = new LongAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }
    }

    private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<RouteKey, Histogram> durations = new ConcurrentHashMap<>();
    private final Map<RouteKey, LongAdder> connectFailures = new ConcurrentHashMap<>();
    private volatile long generation;
    private volatile int rejected;

    /**
     * The series the calling thread used last: an event loop usually serves the same route over and
     * over, so the label keys are not rebuilt and hashed for every request. Compared by identity
     * (a new route table brings new {@link Route}/{@link Upstream} objects, hence a miss).
     */
    private static final class LastUsed {
        Route route;
        Upstream upstream;
        int status;
        LongAdder requests;
        Route latencyRoute;
        Upstream latencyUpstream;
        Histogram latency;
    }

    private final ThreadLocal<LastUsed> last = ThreadLocal.withInitial(LastUsed::new);

    /** Counts one finished request. {@code route} may be null when no rule matched. */
    public void request(Route route, Upstream upstream, int status) {
        LastUsed l = last.get();
        if (l.requests != null && l.route == route && l.upstream == upstream && l.status == status) {
            l.requests.increment();
            return;
        }
        RequestKey k = route == null ? new RequestKey("", "", "", status)
                : new RequestKey(upstream.namespace(), name(route.ingress()), upstream.service(), status);
        LongAdder a = requests.computeIfAbsent(k, x -> new LongAdder());
        a.increment();
        l.route = route;
        l.upstream = upstream;
        l.status = status;
        l.requests = a;
    }

    /** Records the upstream time of one proxied request in nanoseconds. */
    public void upstreamLatency(Route route, Upstream upstream, long nanos) {
        LastUsed l = last.get();
        Histogram h;
        if (l.latency != null && l.latencyRoute == route && l.latencyUpstream == upstream) {
            h = l.latency;
        } else {
            h = durations.computeIfAbsent(new RouteKey(upstream.namespace(), name(route.ingress()), upstream.service()),
                    x -> new Histogram());
            l.latencyRoute = route;
            l.latencyUpstream = upstream;
            l.latency = h;
        }
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < BUCKETS.length && seconds > BUCKETS[i]) {
            i++;
        }
        h.counts[i].increment();
        h.sumMicros.add(nanos / 1000);
    }

    /** Counts one failed connect to an endpoint of {@code upstream}. */
    public void connectFailure(Upstream upstream) {
        connectFailures.computeIfAbsent(new RouteKey(upstream.namespace(), "", upstream.service()), x -> new LongAdder())
                .increment();
    }

    /** Records the route table that is now serving. */
    public void routeTable(long generation, int rejectedIngresses) {
        this.generation = generation;
        this.rejected = rejectedIngresses;
    }

    /** Total requests counted with {@code status} (for tests and logs). */
    public long requestsWithStatus(int status) {
        return requests.entrySet().stream().filter(e -> e.getKey().status() == status)
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    /** Prometheus text exposition format 0.0.4. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP nginx_ingress_controller_requests The total number of client requests.\n");
        out.append("# TYPE nginx_ingress_controller_requests counter\n");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put("{namespace=\"" + k.namespace() + "\",ingress=\"" + k.ingress()
                + "\",service=\"" + k.service() + "\",status=\"" + k.status() + "\"}", v.sum()));
        sorted.forEach((labels, v) -> out.append("nginx_ingress_controller_requests").append(labels).append(' ').append(v).append('\n'));
        out.append("# HELP nginx_ingress_controller_response_duration_seconds The time spent on receiving the response from the upstream server.\n");
        out.append("# TYPE nginx_ingress_controller_response_duration_seconds histogram\n");
        durations.forEach((k, h) -> {
            String base = "namespace=\"" + k.namespace() + "\",ingress=\"" + k.ingress() + "\",service=\"" + k.service() + "\"";
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += h.counts[i].sum();
                out.append("nginx_ingress_controller_response_duration_seconds_bucket{").append(base).append(",le=\"")
                        .append(String.format(Locale.ROOT, "%s", BUCKETS[i])).append("\"} ").append(cumulative).append('\n');
            }
            cumulative += h.counts[BUCKETS.length].sum();
            out.append("nginx_ingress_controller_response_duration_seconds_bucket{").append(base).append(",le=\"+Inf\"} ")
                    .append(cumulative).append('\n');
            out.append("nginx_ingress_controller_response_duration_seconds_sum{").append(base).append("} ")
                    .append(String.format(Locale.ROOT, "%.6f", h.sumMicros.sum() / 1e6)).append('\n');
            out.append("nginx_ingress_controller_response_duration_seconds_count{").append(base).append("} ")
                    .append(cumulative).append('\n');
        });
        out.append("# TYPE junction_ingress_upstream_connect_failures_total counter\n");
        connectFailures.forEach((k, v) -> out.append("junction_ingress_upstream_connect_failures_total{namespace=\"")
                .append(k.namespace()).append("\",service=\"").append(k.service()).append("\"} ").append(v.sum()).append('\n'));
        out.append("# TYPE junction_ingress_route_table_generation gauge\n");
        out.append("junction_ingress_route_table_generation ").append(generation).append('\n');
        out.append("# TYPE junction_ingress_rejected_ingresses gauge\n");
        out.append("junction_ingress_rejected_ingresses ").append(rejected).append('\n');
        return out.toString();
    }

    private static String name(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }
}
