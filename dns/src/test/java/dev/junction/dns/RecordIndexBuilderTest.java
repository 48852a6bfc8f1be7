package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** The index compiler alone: no sockets, no API server. */
class RecordIndexBuilderTest {
    private static final Name ZONE = Name.fromConstantString("cluster.local.");

    private static InetAddress ip(String s) {
        return IpLiterals.parse(s).orElseThrow();
    }

    private static NameEntry at(RecordIndex index, String name) {
        return index.lookup(Name.fromConstantString(name)).orElseThrow(() -> new AssertionError(name + " absent"));
    }

    private static List<String> rdata(NameEntry e, int type) {
        return e.recordsOfType(type).stream().map(Record::rdataToString).toList();
    }

    @Test
    void emptyIndexHasOnlyTheZonesOwnNamesAndIsNotSynced() {
        RecordIndex index = RecordIndexBuilder.empty(ZONE, 5);
        assertThat(index.synced()).isFalse();
        assertThat(rdata(at(index, "cluster.local."), Type.NS)).containsExactly("ns.dns.cluster.local.");
        assertThat(rdata(at(index, "dns-version.cluster.local."), Type.TXT)).containsExactly("\"1.1.0\"");
        assertThat(at(index, "svc.cluster.local.").isEmptyNonTerminal()).isTrue();
        assertThat(index.soa().getMinimum()).isEqualTo(5);
    }

    @Test
    void lookupsIgnoreCase() {
        RecordIndex index = RecordIndexBuilder.build(ZONE, 5, 1, List.of(new ServiceRecord("Default", "Web",
                ServiceRecord.Kind.CLUSTER_IP, List.of(ip("10.96.0.20")), "", List.of(), false)), List.of(), true);
        assertThat(rdata(at(index, "WEB.default.SVC.cluster.local."), Type.A)).containsExactly("10.96.0.20");
    }

    @Test
    void headlessEndpointsDedupeAcrossSlicesAndSplitSrvWeight() {
        ServiceRecord svc = new ServiceRecord("ns", "h", ServiceRecord.Kind.HEADLESS, List.of(), "",
                List.of(new PortRecord("web", "TCP", 80)), false);
        PortRecord port = new PortRecord("web", "TCP", 8080);
        EndpointSliceRecord a = new EndpointSliceRecord("ns", "h-a", "h", List.of(
                new EndpointRecord(ip("10.0.0.1"), "", true),
                new EndpointRecord(ip("10.0.0.2"), "two", true),
                new EndpointRecord(ip("10.0.0.9"), "", false)), List.of(port));
        EndpointSliceRecord b = new EndpointSliceRecord("ns", "h-b", "h", List.of(
                new EndpointRecord(ip("10.0.0.1"), "", true),
                new EndpointRecord(ip("10.0.0.3"), "", true)), List.of(port));
        RecordIndex index = RecordIndexBuilder.build(ZONE, 30, 1, List.of(svc), List.of(a, b), true);
        assertThat(rdata(at(index, "h.ns.svc.cluster.local."), Type.A))
                .containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2", "10.0.0.3");
        NameEntry srv = at(index, "_web._tcp.h.ns.svc.cluster.local.");
        assertThat(rdata(srv, Type.SRV)).containsExactlyInAnyOrder(
                "0 33 8080 10-0-0-1.h.ns.svc.cluster.local.",
                "0 33 8080 two.h.ns.svc.cluster.local.",
                "0 33 8080 10-0-0-3.h.ns.svc.cluster.local.");
        assertThat(srv.additionals()).hasSize(3);
        assertThat(srv.recordsOfType(Type.SRV)).allSatisfy(r -> assertThat(r.getTTL()).isEqualTo(30));
        assertThat(index.lookup(Name.fromConstantString("10-0-0-9.h.ns.svc.cluster.local."))).isEmpty();
        assertThat(rdata(at(index, "2.0.0.10.in-addr.arpa."), Type.PTR)).containsExactly("two.h.ns.svc.cluster.local.");
    }

    @Test
    void ipv6ClusterIpsGetAaaaAndIp6ArpaPtr() {
        RecordIndex index = RecordIndexBuilder.build(ZONE, 5, 1, List.of(new ServiceRecord("ns", "v6",
                ServiceRecord.Kind.CLUSTER_IP, List.of(ip("fd00::1")), "", List.of(), false)), List.of(), true);
        assertThat(rdata(at(index, "v6.ns.svc.cluster.local."), Type.AAAA)).containsExactly("fd00:0:0:0:0:0:0:1");
        assertThat(rdata(at(index, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa."), Type.PTR))
                .containsExactly("v6.ns.svc.cluster.local.");
    }

    @Test
    void namespacesWithoutPublishedServicesDoNotExist() {
        ServiceRecord headless = new ServiceRecord("quiet", "h", ServiceRecord.Kind.HEADLESS, List.of(), "", List.of(), false);
        RecordIndex index = RecordIndexBuilder.build(ZONE, 5, 1, List.of(headless), List.of(), true);
        assertThat(index.lookup(Name.fromConstantString("quiet.svc.cluster.local."))).isEmpty();
        assertThat(index.lookup(Name.fromConstantString("h.quiet.svc.cluster.local."))).isEmpty();
    }

    @Test
    void argumentsAreChecked() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RecordIndexBuilder.build(Name.fromConstantString("cluster.local"), 5, 1, List.of(), List.of(), true))
                .withMessage("zone: cluster.local (expected: an absolute name)");
        assertThatIllegalArgumentException().isThrownBy(() -> new PortRecord("x", "tcp", 0))
                .withMessage("port: 0 (expected: 1-65535)");
    }
}
