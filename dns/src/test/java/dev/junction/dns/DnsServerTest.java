package dev.junction.dns;

import static dev.junction.dns.MockApi.endpoint;
import static dev.junction.dns.MockApi.port;
import static dev.junction.dns.MockApi.slicePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The DNS server end to end: fabric8's mock API server (CRUD mode) feeds the informers, and real
 * UDP and TCP queries go to the server on 127.0.0.1 at an ephemeral port.
 */
class DnsServerTest {
    private static final String WEB = "web.default.svc.cluster.local.";
    private static MockApi api;
    private static DnsServer dns;
    private static DnsTestClient client;

    @BeforeAll
    static void start() {
        api = new MockApi();
        api.clusterIp("default", "web", List.of("10.96.0.20"),
                port("http", "TCP", 80), port("dns", "UDP", 53), port("", "TCP", 8080));
        api.clusterIp("kube-system", "kube-dns", List.of("10.96.0.10"), port("dns", "UDP", 53), port("dns-tcp", "TCP", 53));
        api.clusterIp("default", "dual", List.of("10.96.0.30", "fd00:10:96::30"), port("http", "TCP", 80));
        api.headless("default", "db", false, port("pg", "TCP", 5432));
        api.slice("default", "db-abc", "db", List.of(slicePort("pg", "TCP", 5432)), List.of(
                endpoint("10.244.1.5", "db-0", true),
                endpoint("10.244.1.6", null, true),
                endpoint("10.244.2.7", "db-2", false)));
        api.headless("default", "sleepy", false, port("http", "TCP", 80));
        api.slice("default", "sleepy-1", "sleepy", List.of(slicePort("http", "TCP", 80)),
                List.of(endpoint("10.244.1.9", null, false)));
        api.headless("default", "pnr", true, port("http", "TCP", 80));
        api.slice("default", "pnr-1", "pnr", List.of(slicePort("http", "TCP", 80)),
                List.of(endpoint("10.244.1.10", "pnr-0", false)));
        api.externalName("default", "ext", "example.com");
        List<Endpoint> many = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            many.add(endpoint("10.244.3." + i, null, true));
        }
        api.headless("default", "big", false, port("http", "TCP", 80));
        api.slice("default", "big-1", "big", List.of(slicePort("http", "TCP", 80)), many);
        dns = DnsServer.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress()).port(0).build().start();
        client = new DnsTestClient(dns.port());
        await().atMost(Duration.ofSeconds(30)).until(dns::ready);
    }

    @AfterAll
    static void stop() {
        if (dns != null) {
            dns.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @Test
    void clusterIpServiceHasAnAuthoritativeARecord() throws IOException {
        Message r = client.udp(WEB, Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(r.getHeader().getFlag(Flags.RD)).isTrue();
        assertThat(r.getSection(Section.ANSWER)).singleElement().satisfies(a -> {
            assertThat(a).isInstanceOf(ARecord.class);
            assertThat(((ARecord) a).getAddress().getHostAddress()).isEqualTo("10.96.0.20");
            assertThat(a.getTTL()).isEqualTo(5);
            assertThat(a.getName().toString()).isEqualTo(WEB);
        });
    }

    @Test
    void dualStackServiceHasAAndAaaa() throws IOException {
        assertThat(DnsTestClient.rdata(client.udp("dual.default.svc.cluster.local", Type.A), Section.ANSWER))
                .containsExactly("10.96.0.30");
        assertThat(DnsTestClient.rdata(client.udp("dual.default.svc.cluster.local", Type.AAAA), Section.ANSWER))
                .containsExactly("fd00:10:96:0:0:0:0:30");
    }

    @Test
    void namesAreCaseInsensitiveAndAnswersKeepTheQuestionsSpelling() throws IOException {
        Message r = client.udp("WeB.DeFault.SVC.Cluster.LOCAL.", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getSection(Section.ANSWER)).singleElement()
                .satisfies(a -> assertThat(a.getName().toString()).isEqualTo("WeB.DeFault.SVC.Cluster.LOCAL."));
    }

    @Test
    void srvForNamedPortsOfAClusterIpServiceTargetsTheServiceName() throws IOException {
        Message r = client.udp("_http._tcp." + WEB, Type.SRV);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getSection(Section.ANSWER)).singleElement().satisfies(a -> {
            SRVRecord srv = (SRVRecord) a;
            assertThat(srv.getPriority()).isZero();
            assertThat(srv.getWeight()).isEqualTo(100);
            assertThat(srv.getPort()).isEqualTo(80);
            assertThat(srv.getTarget().toString()).isEqualTo(WEB);
        });
        assertThat(r.getSection(Section.ADDITIONAL)).singleElement()
                .satisfies(a -> assertThat(a.rdataToString()).isEqualTo("10.96.0.20"));
        assertThat(DnsTestClient.rdata(client.udp("_dns._udp." + WEB, Type.SRV), Section.ANSWER))
                .containsExactly("0 100 53 " + WEB);
    }

    @Test
    void srvOfAnUnknownPortIsNxdomainAndTheProtocolLabelIsAnEmptyNonTerminal() throws IOException {
        assertNxdomain(client.udp("_nope._tcp." + WEB, Type.SRV));
        assertNodata(client.udp("_tcp." + WEB, Type.SRV));
    }

    @Test
    void ptrOfAClusterIpNamesTheService() throws IOException {
        Message r = client.udp("20.0.96.10.in-addr.arpa.", Type.PTR);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getSection(Section.ANSWER)).singleElement()
                .satisfies(a -> assertThat(((PTRRecord) a).getTarget().toString()).isEqualTo(WEB));
    }

    @Test
    void headlessServiceHasOneARecordPerReadyEndpoint() throws IOException {
        Message r = client.udp("db.default.svc.cluster.local", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(DnsTestClient.rdata(r, Section.ANSWER)).containsExactlyInAnyOrder("10.244.1.5", "10.244.1.6");
        assertThat(DnsTestClient.rdata(client.udp("db-0.db.default.svc.cluster.local", Type.A), Section.ANSWER))
                .containsExactly("10.244.1.5");
        assertThat(DnsTestClient.rdata(client.udp("10-244-1-6.db.default.svc.cluster.local", Type.A), Section.ANSWER))
                .containsExactly("10.244.1.6");
        assertNxdomain(client.udp("db-2.db.default.svc.cluster.local", Type.A));
    }

    @Test
    void headlessSrvTargetsEachEndpointWithAddressesInTheAdditionalSection() throws IOException {
        Message r = client.udp("_pg._tcp.db.default.svc.cluster.local", Type.SRV);
        assertThat(DnsTestClient.rdata(r, Section.ANSWER)).containsExactlyInAnyOrder(
                "0 50 5432 db-0.db.default.svc.cluster.local.",
                "0 50 5432 10-244-1-6.db.default.svc.cluster.local.");
        assertThat(r.getSection(Section.ADDITIONAL)).extracting(a -> a.getName() + " " + a.rdataToString())
                .containsExactlyInAnyOrder("db-0.db.default.svc.cluster.local. 10.244.1.5",
                        "10-244-1-6.db.default.svc.cluster.local. 10.244.1.6");
    }

    @Test
    void ptrOfAHeadlessEndpointNamesItsHostname() throws IOException {
        assertThat(DnsTestClient.rdata(client.udp("5.1.244.10.in-addr.arpa", Type.PTR), Section.ANSWER))
                .containsExactly("db-0.db.default.svc.cluster.local.");
    }

    @Test
    void headlessServiceWithoutReadyEndpointsIsNxdomain() throws IOException {
        assertNxdomain(client.udp("sleepy.default.svc.cluster.local", Type.A));
    }

    @Test
    void publishNotReadyAddressesPublishesNotReadyEndpoints() throws IOException {
        assertThat(DnsTestClient.rdata(client.udp("pnr.default.svc.cluster.local", Type.A), Section.ANSWER))
                .containsExactly("10.244.1.10");
        assertThat(DnsTestClient.rdata(client.udp("pnr-0.pnr.default.svc.cluster.local", Type.A), Section.ANSWER))
                .containsExactly("10.244.1.10");
    }

    @Test
    void externalNameIsACname() throws IOException {
        for (int type : new int[] {Type.A, Type.CNAME, Type.AAAA}) {
            Message r = client.udp("ext.default.svc.cluster.local", type);
            assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(r.getSection(Section.ANSWER)).singleElement()
                    .satisfies(a -> assertThat(((CNAMERecord) a).getTarget().toString()).isEqualTo("example.com."));
        }
    }

    @Test
    void dnsVersionIsTxt110() throws IOException {
        Message r = client.udp("dns-version.cluster.local", Type.TXT);
        assertThat(r.getSection(Section.ANSWER)).singleElement()
                .satisfies(a -> assertThat(((TXTRecord) a).getStrings()).containsExactly("1.1.0"));
    }

    @Test
    void apexHasSoaAndNsWithTheNameServersAddress() throws IOException {
        Message soa = client.udp("cluster.local", Type.SOA);
        assertThat(soa.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(soa.getSection(Section.ANSWER)).singleElement().satisfies(a -> assertSoa((SOARecord) a));
        Message ns = client.udp("cluster.local", Type.NS);
        assertThat(ns.getSection(Section.ANSWER)).singleElement()
                .satisfies(a -> assertThat(((NSRecord) a).getTarget().toString()).isEqualTo("ns.dns.cluster.local."));
        assertThat(DnsTestClient.rdata(ns, Section.ADDITIONAL)).containsExactly("10.96.0.10");
        assertThat(DnsTestClient.rdata(client.udp("ns.dns.cluster.local", Type.A), Section.ANSWER))
                .containsExactly("10.96.0.10");
    }

    @Test
    void absentNamesAreNxdomainWithSoa() throws IOException {
        assertNxdomain(client.udp("nope.default.svc.cluster.local", Type.A));
        assertNxdomain(client.udp("x.web.default.svc.cluster.local", Type.A));
        assertNxdomain(client.udp("nons.svc.cluster.local", Type.A));
        assertNxdomain(client.udp("foo.cluster.local", Type.A));
    }

    @Test
    void existingNamesWithoutTheTypeAndEmptyNonTerminalsAreNodata() throws IOException {
        assertNodata(client.udp(WEB, Type.AAAA));
        assertNodata(client.udp(WEB, Type.MX));
        assertNodata(client.udp("svc.cluster.local", Type.A));
        assertNodata(client.udp("default.svc.cluster.local", Type.A));
        assertNodata(client.udp("kube-system.svc.cluster.local", Type.A));
    }

    @Test
    void bigUdpAnswerIsTruncatedAndTcpCarriesItAll() throws IOException {
        String big = "big.default.svc.cluster.local";
        Message udp = client.udp(big, Type.A);
        assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(udp.getSection(Section.ANSWER).size()).isGreaterThan(20).isLessThan(60);
        assertThat(udp.toWire().length).isLessThanOrEqualTo(512);

        Message tcp = client.tcp(big, Type.A);
        assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(tcp.getSection(Section.ANSWER)).hasSize(60);
    }

    @Test
    void ednsPayloadSizeIsHonouredAndOptIsEchoed() throws IOException {
        Message r = client.udp(DnsTestClient.edns(DnsTestClient.query("big.default.svc.cluster.local", Type.A), 4096));
        assertThat(r.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(r.getSection(Section.ANSWER)).hasSize(60);
        OPTRecord opt = r.getOPT();
        assertThat(opt).isNotNull();
        assertThat(opt.getPayloadSize()).isEqualTo(DnsQueryProcessor.EDNS_PAYLOAD);

        byte[] cut = client.udpRaw(DnsTestClient.edns(DnsTestClient.query("big.default.svc.cluster.local", Type.A), 700).toWire());
        assertThat(cut.length).isLessThanOrEqualTo(700);
        Message truncated = new Message(cut);
        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(truncated.getSection(Section.ANSWER).size()).isGreaterThan(20).isLessThan(60);
        assertThat(truncated.getOPT()).isNotNull();

        Message small = client.udp(DnsTestClient.edns(DnsTestClient.query(WEB, Type.A), 512));
        assertThat(small.getOPT()).isNotNull();
        assertThat(client.udp(WEB, Type.A).getOPT()).isNull();
    }

    @Test
    void unsupportedEdnsVersionIsBadvers() throws IOException {
        Message q = DnsTestClient.query(WEB, Type.A);
        q.addRecord(new OPTRecord(1232, 0, 1), Section.ADDITIONAL);
        assertThat(client.udp(q).getRcode()).isEqualTo(Rcode.BADVERS);
    }

    @Test
    void tcpAnswersSeveralQueriesOnOneConnection() throws IOException {
        Message a = DnsTestClient.query(WEB, Type.A);
        Message b = DnsTestClient.query("nope.default.svc.cluster.local", Type.A);
        Message c = DnsTestClient.query("dns-version.cluster.local", Type.TXT);
        List<Message> responses = client.tcp(a, b, c);
        assertThat(responses).extracting(m -> m.getHeader().getID())
                .containsExactly(a.getHeader().getID(), b.getHeader().getID(), c.getHeader().getID());
        assertThat(responses).extracting(Message::getRcode).containsExactly(Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.NOERROR);
    }

    @Test
    void malformedQueryWithAHeaderGetsFormerrAndTheServerKeepsAnswering() throws IOException {
        // ID 0x1234, RD, one question; the question's first label claims 60 bytes but 4 follow.
        byte[] malformed = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 60, 'a', 'b', 'c', 'd'};
        Message r = new Message(client.udpRaw(malformed));
        assertThat(r.getHeader().getID()).isEqualTo(0x1234);
        assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
        assertThat(r.getHeader().getFlag(Flags.QR)).isTrue();

        Message tcp = new Message(client.tcpRaw(malformed).get(0));
        assertThat(tcp.getRcode()).isEqualTo(Rcode.FORMERR);

        assertThat(client.udp(WEB, Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void junkWithoutAHeaderIsDropped() throws IOException {
        Message valid = DnsTestClient.query(WEB, Type.A);
        byte[] first = client.udpRawFirstReply(new byte[] {1, 2, 3}, valid.toWire());
        assertThat(new Message(first).getHeader().getID()).isEqualTo(valid.getHeader().getID());
    }

    @Test
    void questionCountOtherThanOneIsFormerr() throws IOException {
        Message q = DnsTestClient.query(WEB, Type.A);
        q.addRecord(DnsTestClient.query("dns-version.cluster.local", Type.TXT).getQuestion(), Section.QUESTION);
        assertThat(client.udp(q).getRcode()).isEqualTo(Rcode.FORMERR);
    }

    @Test
    void zoneTransfersAreRefusedAndOtherOpcodesNotImplemented() throws IOException {
        assertThat(client.tcp("cluster.local", Type.AXFR).getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(client.udp("cluster.local", Type.IXFR).getRcode()).isEqualTo(Rcode.REFUSED);
        Message status = DnsTestClient.query(WEB, Type.A);
        status.getHeader().setOpcode(Opcode.STATUS);
        assertThat(client.udp(status).getRcode()).isEqualTo(Rcode.NOTIMP);
    }

    @Test
    void namesOutsideTheZoneWithoutUpstreamsAreServfail() throws IOException {
        assertThat(client.udp("example.org", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(client.udp("1.2.3.4.in-addr.arpa", Type.PTR).getRcode()).isEqualTo(Rcode.SERVFAIL);
    }

    @Test
    void aNewServiceResolvesRightAfterCreationAndDisappearsOnDelete() throws IOException {
        String name = "fresh.default.svc.cluster.local";
        assertNxdomain(client.udp(name, Type.A));
        api.clusterIp("default", "fresh", List.of("10.96.0.77"), port("http", "TCP", 80));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(DnsTestClient.rdata(client.udp(name, Type.A), Section.ANSWER)).containsExactly("10.96.0.77"));
        api.client.services().inNamespace("default").withName("fresh").delete();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.udp(name, Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN));
    }

    @Test
    void anEndpointBecomingReadyIsPublished() throws IOException {
        api.headless("default", "warming", false, port("http", "TCP", 80));
        api.slice("default", "warming-1", "warming", List.of(slicePort("http", "TCP", 80)),
                List.of(endpoint("10.244.1.40", "w-0", false)));
        String name = "warming.default.svc.cluster.local";
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.udp("default.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NOERROR));
        assertNxdomain(client.udp(name, Type.A));
        api.slice("default", "warming-1", "warming", List.of(slicePort("http", "TCP", 80)),
                List.of(endpoint("10.244.1.40", "w-0", true)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(DnsTestClient.rdata(client.udp("w-0." + name, Type.A), Section.ANSWER))
                        .containsExactly("10.244.1.40"));
        api.client.discovery().v1().endpointSlices().inNamespace("default").withName("warming-1").delete();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.udp(name, Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN));
    }

    @Test
    void aNamespaceExistsWhileItHasServices() throws IOException {
        String ns = "solo.svc.cluster.local";
        assertNxdomain(client.udp(ns, Type.A));
        api.clusterIp("solo", "one", List.of("10.96.1.1"));
        api.clusterIp("solo", "two", List.of("10.96.1.2"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                DnsTestClient.rdata(client.udp("two.solo.svc.cluster.local", Type.A), Section.ANSWER)).containsExactly("10.96.1.2"));
        assertNodata(client.udp(ns, Type.A));
        api.client.services().inNamespace("solo").withName("one").delete();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.udp("one.solo.svc.cluster.local", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN));
        assertNodata(client.udp(ns, Type.A));
        api.client.services().inNamespace("solo").withName("two").delete();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.udp(ns, Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN));
    }

    @Test
    void healthReadinessAndMetricsAreServed() throws Exception {
        client.udp("nope.default.svc.cluster.local", Type.A);
        try (DnsHealthServer health = DnsHealthServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), dns);
             HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + health.port();
            assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(http, base + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .containsPattern("coredns_dns_requests_total\\{proto=\"udp\"} [1-9]")
                    .containsPattern("coredns_dns_responses_total\\{rcode=\"NXDOMAIN\"} [1-9]")
                    .contains("coredns_dns_responses_total{rcode=\"NOERROR\"}");
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertNxdomain(Message r) {
        assertThat(r.getRcode()).as("rcode of %s", r.getQuestion()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
        assertThat(r.getSection(Section.AUTHORITY)).singleElement().satisfies(a -> assertSoa((SOARecord) a));
    }

    private static void assertNodata(Message r) {
        assertThat(r.getRcode()).as("rcode of %s", r.getQuestion()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
        assertThat(r.getSection(Section.AUTHORITY)).singleElement().satisfies(a -> assertSoa((SOARecord) a));
    }

    private static void assertSoa(SOARecord soa) {
        assertThat(soa.getName().toString()).isEqualTo("cluster.local.");
        assertThat(soa.getHost().toString()).isEqualTo("ns.dns.cluster.local.");
        assertThat(soa.getAdmin().toString()).isEqualTo("hostmaster.cluster.local.");
        assertThat(soa.getMinimum()).isEqualTo(5);
        assertThat(soa.getTTL()).isEqualTo(5);
        assertThat(soa.getRefresh()).isEqualTo(7200);
        assertThat(soa.getRetry()).isEqualTo(1800);
        assertThat(soa.getExpire()).isEqualTo(86400);
    }
}
