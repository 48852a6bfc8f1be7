package dev.junction.dns;

import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Rcode;

/**
 * Request and response counters under CoreDNS's metric names ({@code plugin/metrics}):
 * {@code coredns_dns_requests_total{proto}} and {@code coredns_dns_responses_total{rcode}}.
 * Counting is contention-free ({@link LongAdder}); rendering is Prometheus text format 0.0.4.
 */
public final class DnsMetrics {
    private static final int RCODES = 24;

    private final LongAdder[] requests = new LongAdder[Transport.values().length];
    private final LongAdder[] responses = new LongAdder[RCODES];

    public DnsMetrics() {
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new LongAdder();
        }
        for (int i = 0; i < responses.length; i++) {
            responses[i] = new LongAdder();
        }
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

    /** Total requests on {@code transport}. */
    public long requests(Transport transport) {
        return requests[transport.ordinal()].sum();
    }

    /** Total responses with {@code rcode}. */
    public long responses(int rcode) {
        return rcode >= 0 && rcode < RCODES ? responses[rcode].sum() : 0;
    }

    /** The counters in Prometheus text exposition format. */
    public String render() {
        StringBuilder sb = new StringBuilder(512);
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
        return sb.toString();
    }
}
