package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The response cache for forwarded names: in memory with a fake clock (TTL rules of RFC 2308,
 * bounds), and end to end over UDP with a {@link FakeUpstream} that counts what reaches it.
 */
class ResponseCacheTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final DnsMetrics metrics = new DnsMetrics();

    private ResponseCache cache(int capacity, long maxTtl) {
        return new ResponseCache(capacity, maxTtl, capacity, maxTtl, now::get, metrics);
    }

    private static Message answer(Message query, long ttl) {
        Message r = Responses.reply(query);
        r.addRecord(new ARecord(query.getQuestion().getName(), DClass.IN, ttl, IpLiterals.parse("192.0.2.1").orElseThrow()),
                Section.ANSWER);
        return r;
    }

    private static Message nxdomain(Message query, long soaTtl, long minimum) {
        Message r = Responses.error(query, Rcode.NXDOMAIN);
        Name zone = Name.fromConstantString("example.com.");
        r.addRecord(new SOARecord(zone, DClass.IN, soaTtl, zone, zone, 1, 1, 1, 1, minimum), Section.AUTHORITY);
        return r;
    }

    private void advance(long seconds) {
        now.addAndGet(seconds * 1_000_000_000L);
    }

    @Test
    void positiveAnswersLiveForTheirTtlCappedAndDecrement() {
        ResponseCache c = cache(10, 30);
        Message q = DnsTestClient.query("a.example.com", Type.A);
        c.put(q, answer(q, 300));
        advance(10);
        Message again = DnsTestClient.query("A.Example.COM", Type.A);
        Message hit = c.get(again);
        assertThat(hit).isNotNull();
        assertThat(hit.getHeader().getID()).isEqualTo(again.getHeader().getID());
        assertThat(hit.getSection(Section.ANSWER)).singleElement().satisfies(a -> assertThat(a.getTTL()).isEqualTo(290));
        advance(20);
        assertThat(c.get(q)).as("expired after the 30 s cap").isNull();
        assertThat(metrics.cacheHits(ResponseCache.Kind.SUCCESS)).isEqualTo(1);
        assertThat(metrics.cacheMisses()).isEqualTo(1);
    }

    @Test
    void negativeAnswersLiveForTheSoaMinimumPerRfc2308() {
        ResponseCache c = cache(10, 3600);
        Message q = DnsTestClient.query("nope.example.com", Type.A);
        c.put(q, nxdomain(q, 3600, 60));
        advance(59);
        assertThat(c.get(q)).isNotNull().satisfies(m -> assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN));
        advance(1);
        assertThat(c.get(q)).isNull();
        Message q2 = DnsTestClient.query("other.example.com", Type.A);
        c.put(q2, nxdomain(q2, 20, 60));
        advance(20);
        assertThat(c.get(q2)).as("SOA TTL below its minimum bounds the entry").isNull();
    }

    @Test
    void negativeAnswersWithoutSoaServfailAndTruncatedAnswersAreNotCached() {
        ResponseCache c = cache(10, 3600);
        Message q = DnsTestClient.query("x.example.com", Type.A);
        c.put(q, Responses.error(q, Rcode.NXDOMAIN));
        c.put(q, Responses.error(q, Rcode.SERVFAIL));
        Message tc = answer(q, 300);
        tc.getHeader().setFlag(Flags.TC);
        c.put(q, tc);
        assertThat(c.get(q)).isNull();
        assertThat(c.size(ResponseCache.Kind.SUCCESS) + c.size(ResponseCache.Kind.DENIAL)).isZero();
    }

    @Test
    void sizeIsBounded() {
        ResponseCache c = cache(100, 3600);
        for (int i = 0; i < 1000; i++) {
            Message q = DnsTestClient.query("n" + i + ".example.com", Type.A);
            c.put(q, answer(q, 300));
            Message nq = DnsTestClient.query("x" + i + ".example.com", Type.A);
            c.put(nq, nxdomain(nq, 300, 300));
        }
        assertThat(c.size(ResponseCache.Kind.SUCCESS)).isEqualTo(100);
        assertThat(c.size(ResponseCache.Kind.DENIAL)).isEqualTo(100);
    }

    @Test
    void forwardedNamesAreCachedAndClusterNamesNever() throws Exception {
        try (MockApi api = new MockApi(); FakeUpstream internet = new FakeUpstream(Map.of("example.com", "192.0.2.1"));
             DnsServer dns = DnsServer.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress()).port(0)
                     .upstream(internet.address()).build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(dns::ready);
            DnsTestClient client = new DnsTestClient(dns.port());
            for (int i = 0; i < 5; i++) {
                assertThat(DnsTestClient.rdata(client.udp("example.com", Type.A), Section.ANSWER)).containsExactly("192.0.2.1");
                assertThat(client.udp("missing.example.com", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            }
            assertThat(internet.queries("example.com.")).isEqualTo(1);
            assertThat(internet.queries("missing.example.com.")).isEqualTo(1);
            assertThat(dns.metrics().cacheHits(ResponseCache.Kind.SUCCESS)).isEqualTo(4);
            assertThat(dns.metrics().cacheHits(ResponseCache.Kind.DENIAL)).isEqualTo(4);
            assertThat(dns.metrics().render()).contains("coredns_cache_hits_total{type=\"success\"} 4",
                    "coredns_cache_misses_total 2", "coredns_cache_entries{type=\"denial\"} 1");
            // A cluster name absent a moment ago resolves as soon as its Service exists.
            assertThat(client.udp("fresh.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            api.clusterIp("default", "fresh", List.of("10.96.0.77"));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    DnsTestClient.rdata(client.udp("fresh.default.svc.cluster.local", Type.A), Section.ANSWER).equals(List.of("10.96.0.77")));
        }
    }

    @Test
    void metricsRenderTheDurationHistogram() throws IOException {
        DnsMetrics m = new DnsMetrics();
        m.duration(100_000);
        m.duration(1_000_000);
        m.duration(20_000_000_000L);
        assertThat(m.render()).contains("coredns_dns_request_duration_seconds_bucket{le=\"0.00025\"} 1",
                "coredns_dns_request_duration_seconds_bucket{le=\"0.00100\"} 2",
                "coredns_dns_request_duration_seconds_bucket{le=\"+Inf\"} 3",
                "coredns_dns_request_duration_seconds_count 3");
    }
}
