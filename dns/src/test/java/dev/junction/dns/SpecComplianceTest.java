package dev.junction.dns;

import static dev.junction.dns.MockApi.endpoint;
import static dev.junction.dns.MockApi.port;
import static dev.junction.dns.MockApi.slicePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * One test per requirement of the Kubernetes DNS-Based Service Discovery specification, schema
 * 1.1.0 (kubernetes/dns {@code docs/specification.md}), numbered S1…S26 in the spec's order, each
 * naming its section. Every question is asked over real UDP <em>and</em> TCP to a server on
 * 127.0.0.1 fed by fabric8's mock API server (CRUD mode); both answers must agree.
 *
 * <p>The spec (1.1.0) requires no wildcard records, so none are tested (CoreDNS dropped them too).
 */
class SpecComplianceTest {
    private static final String Z = ".svc.cluster.local";
    private static MockApi api;
    private static DnsServer upstream;
    private static DnsServer dns;
    private static DnsTestClient client;

    @BeforeAll
    static void start() {
        api = new MockApi();
        api.clusterIp("default", "kubernetes", List.of("10.96.0.1"), port("https", "TCP", 443));
        api.clusterIp("default", "web", List.of("10.96.0.20"), port("http", "TCP", 80), port("", "TCP", 8080));
        api.clusterIp("default", "v6", List.of("fd00:10:96::6"), port("http", "TCP", 80));
        api.clusterIp("default", "dual", List.of("10.96.0.30", "fd00:10:96::30"), port("http", "TCP", 80));
        api.headless("default", "db", false, port("pg", "TCP", 5432), port("metrics", "TCP", 9187), port("", "TCP", 1));
        api.slice("default", "db-v4", "db", List.of(slicePort("pg", "TCP", 5432), slicePort("metrics", "TCP", 9187),
                slicePort("", "TCP", 1)), List.of(
                endpoint("10.244.1.5", "db-0", true),
                endpoint("10.244.1.6", null, true),
                endpoint("10.244.1.7", "db-2", false)));
        api.slice("default", "db-v6", "db", "IPv6", List.of(slicePort("pg", "TCP", 5432)), List.of(
                endpoint("fd00:10:244:1::5", "db-0", true)));
        api.headless("default", "twins", false);
        api.slice("default", "twins-1", "twins", List.of(), List.of(
                endpoint("10.244.2.1", "twin", true), endpoint("10.244.2.2", "twin", true)));
        api.headless("default", "sleepy", false, port("http", "TCP", 80));
        api.slice("default", "sleepy-1", "sleepy", List.of(slicePort("http", "TCP", 80)),
                List.of(endpoint("10.244.1.9", null, false)));
        api.headless("default", "tolerant", true, port("http", "TCP", 80));
        api.slice("default", "tolerant-1", "tolerant", List.of(slicePort("http", "TCP", 80)),
                List.of(endpoint("10.244.1.10", "t-0", false)));
        api.externalName("default", "alias", "web.default.svc.cluster.local");
        api.externalName("default", "outside", "web.default.svc.example.test");
        upstream = DnsServer.builder().client(api.client).zone("example.test")
                .bindAddress(InetAddress.getLoopbackAddress()).port(0).build().start();
        dns = DnsServer.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .upstream(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.port())).build().start();
        client = new DnsTestClient(dns.port());
        await().atMost(Duration.ofSeconds(30)).until(() -> dns.ready() && upstream.ready());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {dns, upstream, api}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    /** Asks over UDP and TCP; both must agree on rcode and answer; returns the UDP answer. */
    private static Message ask(String name, int type) throws IOException {
        Message udp = client.udp(name, type);
        Message tcp = client.tcp(name, type);
        assertThat(tcp.getRcode()).as("tcp rcode of %s", name).isEqualTo(udp.getRcode());
        assertThat(DnsTestClient.rdata(tcp, Section.ANSWER)).as("tcp answer of %s", name)
                .containsExactlyInAnyOrderElementsOf(DnsTestClient.rdata(udp, Section.ANSWER));
        assertThat(udp.getHeader().getFlag(Flags.AA)).as("AA of %s", name).isTrue();
        return udp;
    }

    private static List<String> answers(String name, int type) throws IOException {
        Message r = ask(name, type);
        assertThat(r.getRcode()).as("rcode of %s", name).isEqualTo(Rcode.NOERROR);
        return DnsTestClient.rdata(r, Section.ANSWER);
    }

    private static void assertNxdomain(String name, int type) throws IOException {
        Message r = ask(name, type);
        assertThat(r.getRcode()).as("rcode of %s", name).isEqualTo(Rcode.NXDOMAIN);
        assertThat(r.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
    }

    @Test
    void s01_definitions_comparisonsAreCaseInsensitive() throws IOException {
        // §2.1: "All comparisons between query data and data in Kubernetes is case-insensitive."
        assertThat(answers("WEB.Default.SVC.cluster.LOCAL", Type.A)).containsExactly("10.96.0.20");
        assertThat(answers("_HTTP._Tcp.web.default" + Z, Type.SRV)).containsExactly("0 100 80 web.default.svc.cluster.local.");
    }

    @Test
    void s02_definitions_hostnameIsTheEndpointsHostnameField() throws IOException {
        // §2.1 hostname, first choice: the endpoint's hostname field.
        assertThat(answers("db-0.db.default" + Z, Type.A)).containsExactly("10.244.1.5");
    }

    @Test
    void s03_definitions_endpointsWithoutHostnameGetAUniqueSystemAssignedName() throws IOException {
        // §2.1 hostname, second choice: a unique system-assigned identifier (CoreDNS: the dashed IP).
        assertThat(answers("10-244-1-6.db.default" + Z, Type.A)).containsExactly("10.244.1.6");
    }

    @Test
    void s04_definitions_onlyReadyEndpointsArePublished() throws IOException {
        // §2.1 ready: not-ready endpoints (EndpointSlice conditions.ready=false) are not published.
        assertThat(answers("db.default" + Z, Type.A)).doesNotContain("10.244.1.7");
        assertNxdomain("db-2.db.default" + Z, Type.A);
    }

    @Test
    void s05_definitions_tolerateUnreadyPublishesNotReadyEndpoints() throws IOException {
        // §2.1 ready: the tolerate-unready annotation, today spec.publishNotReadyAddresses.
        assertThat(answers("tolerant.default" + Z, Type.A)).containsExactly("10.244.1.10");
        assertThat(answers("t-0.tolerant.default" + Z, Type.A)).containsExactly("10.244.1.10");
    }

    @Test
    void s06_schemaVersion_dnsVersionTxt() throws IOException {
        // §2.2: dns-version.<zone>. <ttl> IN TXT <schema-version>
        Message r = ask("dns-version.cluster.local", Type.TXT);
        assertThat(r.getSection(Section.ANSWER)).singleElement()
                .satisfies(a -> assertThat(((TXTRecord) a).getStrings()).containsExactly("1.1.0"));
    }

    @Test
    void s07_clusterIp_aRecord() throws IOException {
        // §2.3.1: <service>.<ns>.svc.<zone>. <ttl> IN A <cluster-ip>
        Message r = ask("kubernetes.default" + Z, Type.A);
        assertThat(r.getSection(Section.ANSWER)).singleElement().satisfies(a -> {
            assertThat(a.rdataToString()).isEqualTo("10.96.0.1");
            assertThat(a.getTTL()).isEqualTo(5);
        });
    }

    @Test
    void s08_clusterIp_aaaaRecordForIpv6AndDualStack() throws IOException {
        // §2.3.1: <service>.<ns>.svc.<zone>. <ttl> IN AAAA <cluster-ip> for IPv6 cluster IPs.
        assertThat(answers("v6.default" + Z, Type.AAAA)).containsExactly("fd00:10:96:0:0:0:0:6");
        assertThat(answers("v6.default" + Z, Type.A)).isEmpty();
        assertThat(answers("dual.default" + Z, Type.A)).containsExactly("10.96.0.30");
        assertThat(answers("dual.default" + Z, Type.AAAA)).containsExactly("fd00:10:96:0:0:0:0:30");
    }

    @Test
    void s09_clusterIp_srvPerNamedPortTargetsTheService() throws IOException {
        // §2.3.2: _<port>._<proto>.<service>.<ns>.svc.<zone>. IN SRV <w> <p> <port-number> <service>.<ns>.svc.<zone>.
        assertThat(answers("_https._tcp.kubernetes.default" + Z, Type.SRV))
                .containsExactly("0 100 443 kubernetes.default.svc.cluster.local.");
    }

    @Test
    void s10_clusterIp_unnamedPortsHaveNoSrv() throws IOException {
        // §2.3.2: "Unnamed ports do not have an SRV record." web has an unnamed 8080.
        Message r = ask("_tcp.web.default" + Z, Type.SRV);
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
        assertThat(answers("_http._tcp.web.default" + Z, Type.SRV)).containsExactly("0 100 80 web.default.svc.cluster.local.");
    }

    @Test
    void s11_clusterIp_srvAdditionalSectionHoldsTheServiceA() throws IOException {
        // §2.3.2: "The Additional section of the response may include the Service A record".
        Message r = ask("_https._tcp.kubernetes.default" + Z, Type.SRV);
        assertThat(r.getSection(Section.ADDITIONAL)).extracting(a -> a.getName() + " " + a.rdataToString())
                .contains("kubernetes.default.svc.cluster.local. 10.96.0.1");
    }

    @Test
    void s12_clusterIp_ptrInAddrArpa() throws IOException {
        // §2.3.3: <d>.<c>.<b>.<a>.in-addr.arpa. IN PTR <service>.<ns>.svc.<zone>.
        assertThat(answers("1.0.96.10.in-addr.arpa", Type.PTR)).containsExactly("kubernetes.default.svc.cluster.local.");
    }

    @Test
    void s13_clusterIp_ptrIp6ArpaFullNibble() throws IOException {
        // §2.3.3: IPv6 cluster IPs get a PTR at the full 32-nibble ip6.arpa name.
        String nibbles = "6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa";
        assertThat(answers(nibbles, Type.PTR)).containsExactly("v6.default.svc.cluster.local.");
    }

    @Test
    void s14_headless_aPerReadyEndpoint() throws IOException {
        // §2.4.1: <service>.<ns>.svc.<zone>. IN A <endpoint-ip> for each ready endpoint.
        assertThat(answers("db.default" + Z, Type.A)).containsExactlyInAnyOrder("10.244.1.5", "10.244.1.6");
    }

    @Test
    void s15_headless_aaaaPerReadyIpv6Endpoint() throws IOException {
        // §2.4.1: AAAA records for IPv6 endpoints (an IPv6 EndpointSlice).
        assertThat(answers("db.default" + Z, Type.AAAA)).containsExactly("fd00:10:244:1:0:0:0:5");
    }

    @Test
    void s16_headless_noReadyEndpointsIsNxdomain() throws IOException {
        // §2.4.1: "If there are no ready endpoints for the headless Service, the answer should be NXDOMAIN."
        assertNxdomain("sleepy.default" + Z, Type.A);
    }

    @Test
    void s17_headless_hostnameRecord() throws IOException {
        // §2.4.1: <hostname>.<service>.<ns>.svc.<zone>. IN A <endpoint-ip>
        assertThat(answers("db-0.db.default" + Z, Type.A)).containsExactly("10.244.1.5");
        assertThat(answers("db-0.db.default" + Z, Type.AAAA)).containsExactly("fd00:10:244:1:0:0:0:5");
    }

    @Test
    void s18_headless_oneRecordPerIpOfAHostname() throws IOException {
        // §2.4.1: "If there are multiple IP addresses for a given hostname, then there must be one such A record returned for each IP."
        assertThat(answers("twin.twins.default" + Z, Type.A)).containsExactlyInAnyOrder("10.244.2.1", "10.244.2.2");
    }

    @Test
    void s19_headless_srvPerReadyEndpointAndNamedPort() throws IOException {
        // §2.4.2: N ready endpoints × M named ports SRV records targeting <hostname>.<service>...
        // db-0 is dual-stack: one SRV target whose two addresses both go to the additional section.
        assertThat(answers("_pg._tcp.db.default" + Z, Type.SRV)).containsExactlyInAnyOrder(
                "0 50 5432 db-0.db.default.svc.cluster.local.",
                "0 50 5432 10-244-1-6.db.default.svc.cluster.local.");
        assertThat(answers("_metrics._tcp.db.default" + Z, Type.SRV)).containsExactlyInAnyOrder(
                "0 50 9187 db-0.db.default.svc.cluster.local.",
                "0 50 9187 10-244-1-6.db.default.svc.cluster.local.");
    }

    @Test
    void s20_headless_unnamedPortsHaveNoSrv() throws IOException {
        // §2.4.2: "Unnamed ports do not have an SRV record." (db has an unnamed port 1)
        Message r = ask("_tcp.db.default" + Z, Type.SRV);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void s21_headless_srvAdditionalSectionHoldsTheTargetsAddresses() throws IOException {
        // §2.4.2: "The Additional section of the response may include the A records referred to in the SRV records."
        Message r = ask("_metrics._tcp.db.default" + Z, Type.SRV);
        assertThat(r.getSection(Section.ADDITIONAL)).extracting(a -> a.getName() + " " + a.rdataToString())
                .containsExactlyInAnyOrder("db-0.db.default.svc.cluster.local. 10.244.1.5",
                        "10-244-1-6.db.default.svc.cluster.local. 10.244.1.6");
    }

    @Test
    void s22_headless_ptrOfAnIpv4Endpoint() throws IOException {
        // §2.4.3: <d>.<c>.<b>.<a>.in-addr.arpa. IN PTR <hostname>.<service>.<ns>.svc.<zone>.
        assertThat(answers("5.1.244.10.in-addr.arpa", Type.PTR)).containsExactly("db-0.db.default.svc.cluster.local.");
        assertThat(answers("6.1.244.10.in-addr.arpa", Type.PTR)).containsExactly("10-244-1-6.db.default.svc.cluster.local.");
    }

    @Test
    void s23_headless_ptrOfAnIpv6Endpoint() throws IOException {
        // §2.4.3 for IPv6 endpoints: the full-nibble ip6.arpa name.
        String nibbles = "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.4.4.2.0.0.1.0.0.0.0.d.f.ip6.arpa";
        assertThat(answers(nibbles, Type.PTR)).containsExactly("db-0.db.default.svc.cluster.local.");
    }

    @Test
    void s24_externalName_cnameChasedLocallyInTheClusterZone() throws IOException {
        // §2.5: <service>.<ns>.svc.<zone>. IN CNAME <extname>.; a target in the zone is resolved at once.
        Message r = ask("alias.default" + Z, Type.A);
        assertThat(r.getSection(Section.ANSWER)).extracting(Record::getType).containsExactly(Type.CNAME, Type.A);
        assertThat(DnsTestClient.rdata(r, Section.ANSWER))
                .containsExactly("web.default.svc.cluster.local.", "10.96.0.20");
        assertThat(answers("alias.default" + Z, Type.CNAME)).containsExactly("web.default.svc.cluster.local.");
    }

    @Test
    void s25_externalName_cnameChasedThroughTheForwarder() throws IOException {
        // §2.5 answer example: the CNAME followed by the target's A from outside the zone.
        Message r = ask("outside.default" + Z, Type.A);
        assertThat(r.getSection(Section.ANSWER)).first()
                .satisfies(a -> assertThat(((CNAMERecord) a).getTarget().toString()).isEqualTo("web.default.svc.example.test."));
        assertThat(DnsTestClient.rdata(r, Section.ANSWER)).containsExactly("web.default.svc.example.test.", "10.96.0.20");
    }

    @Test
    void s26_deprecated_podARecords() throws IOException {
        // §2.6: <a>-<b>-<c>-<d>.<ns>.pod.<zone>. IN A <a>.<b>.<c>.<d> (pods insecure, the default).
        assertThat(answers("10-244-1-99.default.pod.cluster.local", Type.A)).containsExactly("10.244.1.99");
        assertThat(answers("10-244-1-99.any-ns.pod.cluster.local", Type.A)).containsExactly("10.244.1.99");
        assertThat(answers("10-244-1-99.default.pod.cluster.local", Type.AAAA)).isEmpty();
        assertNxdomain("not-an-ip.default.pod.cluster.local", Type.A);
    }
}
