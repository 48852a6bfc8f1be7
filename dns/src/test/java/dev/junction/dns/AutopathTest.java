package dev.junction.dns;

import static dev.junction.dns.MockApi.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Server-side search (CoreDNS {@code autopath @kubernetes}) over real UDP: a pod (played by a
 * socket bound to 127.0.0.2, the IP of Pod {@code default/client} in the mock API) asks with
 * kubelet's search list and ndots:5. The upstream is a {@link FakeUpstream} that knows
 * {@code example.com}. A stub resolver that walks the search list the way glibc does (A and AAAA
 * per candidate, stop at the first candidate that exists) counts the queries each server needs.
 */
class AutopathTest {
    private static final InetAddress POD_IP = address("127.0.0.2");
    private static final List<String> SEARCH = List.of("default.svc.cluster.local", "svc.cluster.local", "cluster.local");
    private static MockApi api;
    private static FakeUpstream internet;
    private static DnsServer withAutopath;
    private static DnsServer without;

    @BeforeAll
    static void start() throws IOException {
        api = new MockApi();
        api.clusterIp("default", "web", List.of("10.96.0.20"), port("http", "TCP", 80));
        api.clusterIp("other", "api", List.of("10.96.0.40"), port("http", "TCP", 80));
        api.pod("default", "client", POD_IP.getHostAddress());
        internet = new FakeUpstream(Map.of("example.com", "192.0.2.1"));
        withAutopath = DnsServer.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .upstream(internet.address()).autopath(true).cache(0, 0, 0, 0).build().start();
        without = DnsServer.builder().client(api.client).bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .upstream(internet.address()).cache(0, 0, 0, 0).build().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> withAutopath.ready() && without.ready()
                && withAutopath.pods().byIp(POD_IP).isPresent());
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {withAutopath, without, internet, api}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static InetAddress address(String ip) {
        return IpLiterals.parse(ip).orElseThrow();
    }

    /** A glibc-like stub: ndots:5, A then AAAA per candidate, stop at the first candidate that exists. */
    private record Walk(int queries, Message a) {
    }

    private static Walk resolve(DnsServer server, String name) throws IOException {
        DnsTestClient client = new DnsTestClient(server.port(), POD_IP);
        List<String> candidates = new ArrayList<>();
        SEARCH.forEach(s -> candidates.add(name + "." + s));
        candidates.add(name + ".");
        int queries = 0;
        Message last = null;
        for (String c : candidates) {
            Message a = client.udp(c, Type.A);
            client.udp(c, Type.AAAA);
            queries += 2;
            last = a;
            if (a.getRcode() != Rcode.NXDOMAIN) {
                return new Walk(queries, a);
            }
        }
        return new Walk(queries, last);
    }

    @Test
    void exampleComTakesTwoQueriesInsteadOfEight() throws IOException {
        Walk plain = resolve(without, "example.com");
        Walk auto = resolve(withAutopath, "example.com");
        assertThat(plain.queries()).isEqualTo(8);
        assertThat(auto.queries()).isEqualTo(2);
        System.out.printf("autopath: curl http://example.com from a pod: %d queries without, %d with (%d saved)%n",
                plain.queries(), auto.queries(), plain.queries() - auto.queries());
        assertThat(DnsTestClient.rdata(plain.a(), Section.ANSWER)).containsExactly("192.0.2.1");
        Message r = auto.a();
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(r.getSection(Section.ANSWER)).extracting(Record::getType).containsExactly(Type.CNAME, Type.A);
        CNAMERecord cname = (CNAMERecord) r.getSection(Section.ANSWER).get(0);
        assertThat(cname.getName().toString()).isEqualTo("example.com.default.svc.cluster.local.");
        assertThat(cname.getTarget().toString()).isEqualTo("example.com.");
        assertThat(r.getSection(Section.ANSWER).get(1).rdataToString()).isEqualTo("192.0.2.1");
    }

    @Test
    void aServiceInAnotherNamespaceIsFoundOnTheSecondSuffix() throws IOException {
        Message r = new DnsTestClient(withAutopath.port(), POD_IP).udp("api.other.default.svc.cluster.local", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(DnsTestClient.rdata(r, Section.ANSWER)).containsExactly("api.other.svc.cluster.local.", "10.96.0.40");
    }

    @Test
    void anExistingFirstNameIsAnsweredNormally() throws IOException {
        Message r = new DnsTestClient(withAutopath.port(), POD_IP).udp("web.default.svc.cluster.local", Type.A);
        assertThat(DnsTestClient.rdata(r, Section.ANSWER)).containsExactly("10.96.0.20");
    }

    @Test
    void nxdomainOnlyWhenNoCandidateExists() throws IOException {
        Message r = new DnsTestClient(withAutopath.port(), POD_IP).udp("nothing.invalid.default.svc.cluster.local", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(r.getSection(Section.ANSWER)).isEmpty();
        assertThat(internet.queries("nothing.invalid.")).isEqualTo(1);
    }

    @Test
    void clientsThatAreNotKnownPodsGetThePlainAnswer() throws IOException {
        Message r = new DnsTestClient(withAutopath.port()).udp("example.com.default.svc.cluster.local", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void aPodOfAnotherNamespaceDoesNotTriggerAutopathForThisNamespace() throws IOException {
        Message r = new DnsTestClient(withAutopath.port(), POD_IP).udp("example.com.other.svc.cluster.local", Type.A);
        assertThat(r.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }
}
