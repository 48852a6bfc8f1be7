package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Names outside the cluster zone go upstream. The upstream is a second Junction DNS server
 * authoritative for {@code example.test}; a bound UDP socket that never answers plays a dead
 * upstream.
 */
class DnsForwardingTest {
    private static MockApi api;
    private static DnsServer upstream;
    private static DatagramSocket deadUpstream;

    @BeforeAll
    static void start() throws IOException {
        api = new MockApi();
        upstream = DnsServer.builder().client(api.client).zone("example.test")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0).build().start();
        deadUpstream = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        await().atMost(Duration.ofSeconds(30)).until(upstream::ready);
    }

    @AfterAll
    static void stop() {
        if (upstream != null) {
            upstream.close();
        }
        if (deadUpstream != null) {
            deadUpstream.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static InetSocketAddress live() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.port());
    }

    private static InetSocketAddress dead() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), deadUpstream.getLocalPort());
    }

    private static DnsServer server(InetSocketAddress... upstreams) {
        DnsServerBuilder b = DnsServer.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .upstreamTimeout(Duration.ofMillis(300));
        for (InetSocketAddress u : upstreams) {
            b.upstream(u);
        }
        return b.build().start();
    }

    @Test
    void namesOutsideTheZoneAreAnsweredByTheUpstream() throws IOException {
        try (DnsServer dns = server(live())) {
            DnsTestClient client = new DnsTestClient(dns.port());
            Message query = DnsTestClient.query("dns-version.example.test", Type.TXT);
            Message r = client.udp(query);
            assertThat(r.getHeader().getID()).isEqualTo(query.getHeader().getID());
            assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(r.getSection(Section.ANSWER)).singleElement()
                    .satisfies(a -> assertThat(((TXTRecord) a).getStrings()).containsExactly("1.1.0"));
            Message nx = client.tcp("nope.example.test", Type.A);
            assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(nx.getHeader().getFlag(Flags.AA)).isTrue();
        }
    }

    @Test
    void aDeadUpstreamFailsOverToTheNextOne() throws IOException {
        try (DnsServer dns = server(dead(), live())) {
            DnsTestClient client = new DnsTestClient(dns.port());
            for (int i = 0; i < 3; i++) {
                assertThat(client.udp("dns-version.example.test", Type.TXT).getRcode()).isEqualTo(Rcode.NOERROR);
            }
        }
    }

    @Test
    void noAnsweringUpstreamIsServfail() throws IOException {
        try (DnsServer dns = server(dead())) {
            DnsTestClient client = new DnsTestClient(dns.port());
            Message r = client.udp("dns-version.example.test", Type.TXT);
            assertThat(r.getRcode()).isEqualTo(Rcode.SERVFAIL);
            assertThat(r.getQuestion().getName().toString()).isEqualTo("dns-version.example.test.");
            assertThat(client.udp("dns-version.cluster.local", Type.TXT).getRcode()).isEqualTo(Rcode.NOERROR);
        }
    }

    @Test
    void upstreamSpecsParse() {
        assertThat(DnsServerBuilder.parseUpstream("10.0.0.2")).isEqualTo(new InetSocketAddress("10.0.0.2", 53));
        assertThat(DnsServerBuilder.parseUpstream("10.0.0.2:5353")).isEqualTo(new InetSocketAddress("10.0.0.2", 5353));
        assertThat(DnsServerBuilder.parseUpstream("[fd00::2]:5353")).isEqualTo(new InetSocketAddress("fd00::2", 5353));
        assertThat(DnsServerBuilder.parseUpstream("fd00::2")).isEqualTo(new InetSocketAddress("fd00::2", 53));
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> DnsServerBuilder.parseUpstream("dns.google"))
                .withMessageContaining("upstream: dns.google (expected:");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> DnsServerBuilder.parseUpstream("10.0.0.2:0"));
    }

    @Test
    void anUpstreamThatIsTheClusterDnsItselfIsSkipped() throws Exception {
        // A DNS pod whose resolv.conf points at kube-dns would forward to itself (CoreDNS: plugin/loop).
        try (MockApi own = new MockApi(); FakeUpstream self = new FakeUpstream(java.util.Map.of("example.com", "192.0.2.1"))) {
            own.clusterIp("kube-system", "kube-dns", java.util.List.of("127.0.0.1"), MockApi.port("dns", "UDP", 53));
            try (DnsServer dns = DnsServer.builder().client(own.client).bindAddress(InetAddress.getLoopbackAddress()).port(0)
                    .upstream(self.address()).upstreamTimeout(Duration.ofMillis(300)).build().start()) {
                await().atMost(Duration.ofSeconds(30)).until(dns::ready);
                assertThat(new DnsTestClient(dns.port()).udp("example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
                assertThat(self.queries.get()).isZero();
            }
        }
    }
}
