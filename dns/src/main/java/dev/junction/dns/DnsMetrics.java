package dev.junction.dns;

import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Rcode;

/**
 * Counters under CoreDNS's metric names ({@code plugin/metrics/vars/vars.go},
 * {@code plugin/cache/metrics.go}): {@code coredns_dns_requests_total{proto}},
 * {@code coredns_dns_responses_total{rcode}}, the histogram
 * {@code coredns_dns_request_duration_seconds} (CoreDNS's buckets: 0.25 ms doubling to 8.192 s),
 * {@code coredns_cache_hits_total{type}}, {@code coredns_cache_misses_total} and
 * {@code coredns_cache_entries{type}}. Counting is contention-free ({@link LongAdder}); rendering is
 * Prometheus text format 0.0.4.
 */
public final class DnsMetrics {
    private static final int RCODES = 24;
    /** Upper bounds in nanoseconds: 0.25 ms × 2^i, i = 0..15 (CoreDNS: ExponentialBuckets(0.00025, 2, 16)). */
    private static final long[] BUCKETS_NANOS = new long[16];

    static {
        for (int i = 0; i < BUCKETS_NANOS.length; i++) {
            BUCKETS_NANOS[i] = 250_000L << i;
        }
    }

    private final LongAdder[] requests = adders(Transport.values().length);
    private final LongAdder[] responses = adders(RCODES);
    private final LongAdder[] durationBuckets = adders(BUCKETS_NANOS.length + 1);
    private final LongAdder durationSumNanos = new LongAdder();
    private final LongAdder[] cacheHits = adders(ResponseCache.Kind.values().length);
    private final LongAdder cacheMisses = new LongAdder();
    private volatile ResponseCache cache;

    public DnsMetrics() {
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** Counts one request that parsed far enough to be answered. */
    public void request(Transport transport) {
        requests[transport.ordinal()].increment();
    }

    /** Counts one response with the (extended) {@code rcode}, 0-23. */
    public void response(int rcode) {
        if (rcode >= 0 && rcode < RCODES) {
            responses[rcode].increment();
        }
    }

    /** Records the time from a request's arrival to its response, in nanoseconds. */
    public void duration(long nanos) {
        long n = Math.max(0, nanos);
        durationSumNanos.add(n);
        int i = 0;
        while (i < BUCKETS_NANOS.length && n > BUCKETS_NANOS[i]) {
            i++;
        }
        durationBuckets[i].increment();
    }

    /** Counts a cache hit of {@code kind}. */
    void cacheHit(ResponseCache.Kind kind) {
        cacheHits[kind.ordinal()].increment();
    }

    /** Counts a cache miss. */
    void cacheMiss() {
        cacheMisses.increment();
    }

    /** Reports {@code coredns_cache_entries} from this cache. */
    void cache(ResponseCache cache) {
        this.cache = cache;
    }

    /** Total requests on {@code transport}. */
    public long requests(Transport transport) {
        return requests[transport.ordinal()].sum();
    }

    /** Total responses with {@code rcode}. */
    public long responses(int rcode) {
        return rcode >= 0 && rcode < RCODES ? responses[rcode].sum() : 0;
    }

    /** Cache hits of {@code kind}. */
    public long cacheHits(ResponseCache.Kind kind) {
        return cacheHits[kind.ordinal()].sum();
    }

    /** Cache misses. */
    public long cacheMisses() {
        return cacheMisses.sum();
    }

    /** The number of recorded request durations. */
    public long durationCount() {
        long n = 0;
        for (LongAdder a : durationBuckets) {
            n += a.sum();
        }
        return n;
    }

    /** The counters in Prometheus text exposition format. */
    public String render() {
        StringBuilder sb = new StringBuilder(2048);
        sb.append("# HELP coredns_dns_requests_total Counter of DNS requests made per protocol.\n");
        sb.append("# TYPE coredns_dns_requests_total counter\n");
        for (Transport t : Transport.values()) {
            sb.append("coredns_dns_requests_total{proto=\"").append(t.label()).append("\"} ")
                    .append(requests(t)).append('\n');
        }
        sb.append("# HELP coredns_dns_responses_total Counter of response status codes.\n");
        sb.append("# TYPE coredns_dns_responses_total counter\n");
        for (int rcode = 0; rcode < RCODES; rcode++) {
            long n = responses[rcode].sum();
            if (n > 0 || rcode <= Rcode.REFUSED) {
                sb.append("coredns_dns_responses_total{rcode=\"").append(Rcode.string(rcode)).append("\"} ")
                        .append(n).append('\n');
            }
        }
        sb.append("# HELP coredns_dns_request_duration_seconds Histogram of the time (in seconds) each request took.\n");
        sb.append("# TYPE coredns_dns_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS_NANOS.length; i++) {
            cumulative += durationBuckets[i].sum();
            sb.append("coredns_dns_request_duration_seconds_bucket{le=\"")
                    .append(String.format(Locale.ROOT, "%.5f", BUCKETS_NANOS[i] / 1e9)).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += durationBuckets[BUCKETS_NANOS.length].sum();
        sb.append("coredns_dns_request_duration_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        sb.append("coredns_dns_request_duration_seconds_sum ")
                .append(String.format(Locale.ROOT, "%.9f", durationSumNanos.sum() / 1e9)).append('\n');
        sb.append("coredns_dns_request_duration_seconds_count ").append(cumulative).append('\n');
        sb.append("# HELP coredns_cache_hits_total The count of cache hits.\n");
        sb.append("# TYPE coredns_cache_hits_total counter\n");
        for (ResponseCache.Kind k : ResponseCache.Kind.values()) {
            sb.append("coredns_cache_hits_total{type=\"").append(k.label()).append("\"} ").append(cacheHits(k)).append('\n');
        }
        sb.append("# HELP coredns_cache_misses_total The count of cache misses.\n");
        sb.append("# TYPE coredns_cache_misses_total counter\n");
        sb.append("coredns_cache_misses_total ").append(cacheMisses()).append('\n');
        ResponseCache c = cache;
        if (c != null) {
            sb.append("# HELP coredns_cache_entries The number of elements in the cache.\n");
            sb.append("# TYPE coredns_cache_entries gauge\n");
            for (ResponseCache.Kind k : ResponseCache.Kind.values()) {
                sb.append("coredns_cache_entries{type=\"").append(k.label()).append("\"} ").append(c.size(k)).append('\n');
            }
        }
        return sb.toString();
    }
}
