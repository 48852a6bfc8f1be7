package dev.junction.dns;

import static dev.junction.dns.MockApi.endpoint;
import static dev.junction.dns.MockApi.podEndpoint;
import static dev.junction.dns.MockApi.port;
import static dev.junction.dns.MockApi.slicePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The CoreDNS {@code kubernetes} plugin options, each against its own server over real UDP. */
class KubernetesOptionsTest {
    private static MockApi api;
    private static FakeUpstream internet;

    @BeforeAll
    static void start() throws IOException {
        api = new MockApi();
        api.clusterIp("default", "web", List.of("10.96.0.20"), port("http", "TCP", 80));
        api.slice("default", "web-1", "web", List.of(slicePort("http", "TCP", 8080)), List.of(endpoint("10.244.1.2", null, true)));
        api.clusterIp("default", "empty", List.of("10.96.0.21"), port("http", "TCP", 80));
        api.slice("default", "empty-1", "empty", List.of(slicePort("http", "TCP", 8080)), List.of(endpoint("10.244.1.3", null, false)));
        api.headless("default", "db", false, port("pg", "TCP", 5432));
        api.slice("default", "db-1", "db", List.of(slicePort("pg", "TCP", 5432)), List.of(podEndpoint("10.244.1.4", "db-7f9c", true)));
        api.headless("default", "rr", false, port("http", "TCP", 80));
        api.slice("default", "rr-1", "rr", List.of(slicePort("http", "TCP", 80)), List.of(
                endpoint("10.244.2.1", null, true), endpoint("10.244.2.2", null, true), endpoint("10.244.2.3", null, true)));
        api.pod("default", "client", "10.244.1.4");
        internet = new FakeUpstream(Map.of("web.default.svc.cluster.local", "192.0.2.9", "10.244.9.9.in-addr.arpa", "192.0.2.10"));
    }

    @AfterAll
    static void stop() throws Exception {
        internet.close();
        api.close();
    }

    private static <T> T with(UnaryOperator<DnsServerBuilder> options, Check<T> check) throws IOException {
        try (DnsServer dns = options.apply(DnsServer.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress())
                .port(0).upstream(internet.address())).build().start()) {
            await().atMost(Duration.ofSeconds(30)).until(dns::ready);
            return check.run(new DnsTestClient(dns.port()), dns);
        }
    }

    private interface Check<T> {
        T run(DnsTestClient client, DnsServer dns) throws IOException;
    }

    @Test
    void podsVerifiedAnswersOnlyExistingPodsAndDisabledNone() throws IOException {
        with(b -> b.pods(PodsMode.VERIFIED), (c, dns) -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> dns.pods().size() == 1);
            assertThat(DnsTestClient.rdata(c.udp("10-244-1-4.default.pod.cluster.local", Type.A), Section.ANSWER))
                    .containsExactly("10.244.1.4");
            assertThat(c.udp("10-244-1-4.other.pod.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(c.udp("10-244-1-99.default.pod.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            return null;
        });
        with(b -> b.pods(PodsMode.DISABLED), (c, dns) -> {
            assertThat(c.udp("10-244-1-4.default.pod.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            return null;
        });
    }

    @Test
    void endpointPodNamesNamesEndpointsAfterTheirPod() throws IOException {
        with(b -> b.endpointPodNames(true), (c, dns) -> {
            assertThat(DnsTestClient.rdata(c.udp("db-7f9c.db.default.svc.cluster.local", Type.A), Section.ANSWER))
                    .containsExactly("10.244.1.4");
            assertThat(c.udp("10-244-1-4.db.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            return null;
        });
        with(b -> b, (c, dns) -> {
            assertThat(c.udp("10-244-1-4.db.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
            return null;
        });
    }

    @Test
    void ignoreEmptyServiceHidesClusterIpServicesWithoutReadyEndpoints() throws IOException {
        with(b -> b.ignoreEmptyService(true), (c, dns) -> {
            assertThat(c.udp("empty.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(DnsTestClient.rdata(c.udp("web.default.svc.cluster.local", Type.A), Section.ANSWER)).containsExactly("10.96.0.20");
            return null;
        });
    }

    @Test
    void noendpointsPublishesNoHeadlessRecords() throws IOException {
        with(b -> b.noEndpoints(true), (c, dns) -> {
            assertThat(c.udp("db.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(DnsTestClient.rdata(c.udp("web.default.svc.cluster.local", Type.A), Section.ANSWER)).containsExactly("10.96.0.20");
            return null;
        });
    }

    @Test
    void fallthroughForwardsNxdomainOfTheListedZones() throws IOException {
        with(b -> b.fallthrough(List.of("in-addr.arpa")).zones(List.of("cluster.local", "in-addr.arpa")), (c, dns) -> {
            assertThat(c.udp("nope.default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(internet.queries("nope.default.svc.cluster.local.")).isZero();
            assertThat(DnsTestClient.rdata(c.udp("10.244.9.9.in-addr.arpa", Type.A), Section.ANSWER)).containsExactly("192.0.2.10");
            return null;
        });
    }

    @Test
    void severalZonesCarryTheSameRecords() throws IOException {
        with(b -> b.zones(List.of("cluster.local", "example.local")), (c, dns) -> {
            assertThat(DnsTestClient.rdata(c.udp("web.default.svc.example.local", Type.A), Section.ANSWER)).containsExactly("10.96.0.20");
            assertThat(DnsTestClient.rdata(c.udp("web.default.svc.cluster.local", Type.A), Section.ANSWER)).containsExactly("10.96.0.20");
            Message nx = c.udp("nope.example.local", Type.A);
            assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(nx.getSection(Section.AUTHORITY).get(0).getName().toString()).isEqualTo("example.local.");
            assertThat(DnsTestClient.rdata(c.udp("20.0.96.10.in-addr.arpa", Type.PTR), Section.ANSWER))
                    .containsExactly("web.default.svc.cluster.local.");
            return null;
        });
    }

    @Test
    void roundRobinRotatesAddressesAndCanBeTurnedOff() throws IOException {
        with(b -> b.roundRobin(true), (c, dns) -> {
            Set<String> firsts = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                firsts.add(DnsTestClient.rdata(c.udp("rr.default.svc.cluster.local", Type.A), Section.ANSWER).get(0));
                firsts.add(DnsTestClient.rdata(c.tcp("rr.default.svc.cluster.local", Type.A), Section.ANSWER).get(0));
            }
            assertThat(firsts).containsExactlyInAnyOrder("10.244.2.1", "10.244.2.2", "10.244.2.3");
            return null;
        });
        with(b -> b.roundRobin(false), (c, dns) -> {
            Set<List<String>> orders = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                orders.add(DnsTestClient.rdata(c.udp("rr.default.svc.cluster.local", Type.A), Section.ANSWER));
            }
            assertThat(orders).hasSize(1);
            return null;
        });
    }
}
