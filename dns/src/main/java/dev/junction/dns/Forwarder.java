package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;

/**
 * Forwards questions outside the cluster zone to upstream resolvers over UDP (falling back to TCP
 * when the upstream truncates): the role of CoreDNS's {@code plugin/forward}, without its health
 * checks and connection reuse yet. Upstreams are tried starting at a random one, each with
 * {@code timeout}; when none is configured or none answers the result is SERVFAIL.
 */
public final class Forwarder {
    private final List<SimpleResolver> upstreams;
    private final Predicate<InetAddress> self;

    /**
     * @param upstreams upstream servers, tried in turn; may be empty
     * @param timeout   per-upstream timeout (positive)
     * @throws IllegalArgumentException when {@code timeout} is not positive
     */
    public Forwarder(List<InetSocketAddress> upstreams, Duration timeout) {
        this(upstreams, timeout, ip -> false);
    }

    /**
     * @param upstreams upstream servers, tried in turn; may be empty
     * @param timeout   per-upstream timeout (positive)
     * @param self      addresses that are this DNS service itself (the {@code kube-dns} cluster IPs):
     *                  upstreams with such an address are skipped, so a pod whose resolv.conf
     *                  points back at the cluster DNS cannot make a forwarding loop (the problem
     *                  CoreDNS's {@code loop} plugin detects)
     * @throws IllegalArgumentException when {@code timeout} is not positive
     */
    public Forwarder(List<InetSocketAddress> upstreams, Duration timeout, Predicate<InetAddress> self) {
        this.self = requireNonNull(self, "self");
        requireNonNull(upstreams, "upstreams");
        requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        List<SimpleResolver> resolvers = new ArrayList<>();
        for (InetSocketAddress a : upstreams) {
            SimpleResolver r = new SimpleResolver(a);
            r.setTimeout(timeout);
            resolvers.add(r);
        }
        this.upstreams = List.copyOf(resolvers);
    }

    /** Whether at least one upstream is configured. */
    public boolean hasUpstreams() {
        return !upstreams.isEmpty();
    }

    /**
     * Forwards {@code query} and completes with the upstream response re-addressed to the query's
     * ID, or with a SERVFAIL reply when no upstream answers. Never completes exceptionally.
     */
    public CompletionStage<Message> forward(Message query) {
        requireNonNull(query, "query");
        if (upstreams.isEmpty()) {
            return CompletableFuture.completedFuture(Responses.error(query, Rcode.SERVFAIL));
        }
        int start = upstreams.size() == 1 ? 0 : ThreadLocalRandom.current().nextInt(upstreams.size());
        return attempt(query, start, 0);
    }

    private CompletionStage<Message> attempt(Message query, int start, int tried) {
        if (tried == upstreams.size()) {
            return CompletableFuture.completedFuture(Responses.error(query, Rcode.SERVFAIL));
        }
        SimpleResolver upstream = upstreams.get((start + tried) % upstreams.size());
        if (self.test(upstream.getAddress().getAddress())) {
            return attempt(query, start, tried + 1);
        }
        CompletionStage<Message> sent;
        try {
            sent = upstream.sendAsync(query.clone());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((response, error) -> error == null ? CompletableFuture.completedFuture(response) : null)
                .thenCompose(done -> done != null
                        ? done.thenApply(r -> readdress(r, query))
                        : attempt(query, start, tried + 1));
    }

    private static Message readdress(Message response, Message query) {
        response.getHeader().setID(query.getHeader().getID());
        return response;
    }
}
