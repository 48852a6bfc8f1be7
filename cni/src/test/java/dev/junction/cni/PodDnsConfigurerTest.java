package dev.junction.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodDnsConfigurerTest {
    static final String NODE = "# node\nnameserver 192.0.2.53\nsearch corp.example\noptions timeout:2\n";
    final PodDnsConfigurer dns = new PodDnsConfigurer(List.of("10.96.0.10"), "cluster.local", NODE);

    @Test
    void clusterFirst() {
        assertThat(dns.resolvConf("web", "ClusterFirst", false, Optional.empty())).isEqualTo(
                "search web.svc.cluster.local svc.cluster.local cluster.local corp.example\n"
                        + "nameserver 10.96.0.10\noptions ndots:5\n");
    }

    @Test
    void emptyPolicyMeansClusterFirst() {
        assertThat(dns.resolvConf("web", "", false, Optional.empty()))
                .isEqualTo(dns.resolvConf("web", "ClusterFirst", false, Optional.empty()));
    }

    @Test
    void clusterFirstOnHostNetworkActsAsDefault() {
        assertThat(dns.resolvConf("web", "ClusterFirst", true, Optional.empty())).isEqualTo(NODE);
    }

    @Test
    void clusterFirstWithHostNet() {
        assertThat(dns.resolvConf("web", "ClusterFirstWithHostNet", true, Optional.empty()))
                .startsWith("search web.svc.cluster.local").contains("nameserver 10.96.0.10\n");
    }

    @Test
    void defaultCopiesTheNodeFile() {
        assertThat(dns.resolvConf("web", "Default", false, Optional.empty())).isEqualTo(NODE);
    }

    @Test
    void noneUsesOnlyDnsConfig() {
        var config = new ResolvConf(List.of("1.2.3.4"), List.of("ns1.svc.cluster-domain.example", "my.dns.search.suffix"),
                List.of("ndots:2", "edns0"));
        assertThat(dns.resolvConf("web", "None", false, Optional.of(config))).isEqualTo(
                "search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 1.2.3.4\noptions ndots:2 edns0\n");
    }

    @Test
    void dnsConfigIsMergedIntoClusterFirst() {
        var config = new ResolvConf(List.of("10.96.0.10", "1.1.1.1"), List.of("svc.cluster.local", "extra.example"),
                List.of("ndots:2", "edns0"));
        assertThat(dns.resolvConf("web", "ClusterFirst", false, Optional.of(config))).isEqualTo(
                "search web.svc.cluster.local svc.cluster.local cluster.local corp.example extra.example\n"
                        + "nameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 edns0\n");
    }

    @Test
    void dnsConfigIsMergedIntoDefault() {
        var config = new ResolvConf(List.of(), List.of(), List.of("timeout:5"));
        assertThat(dns.resolvConf("web", "Default", false, Optional.of(config)))
                .isEqualTo("search corp.example\nnameserver 192.0.2.53\noptions timeout:5\n");
    }

    @Test
    void withoutClusterDnsClusterFirstFallsBackToTheNode() {
        var noDns = new PodDnsConfigurer(List.of(), "cluster.local", NODE);
        assertThat(noDns.resolvConf("web", "ClusterFirst", false, Optional.empty())).isEqualTo(NODE);
    }

    @Test
    void atMostThreeNameservers() {
        var config = new ResolvConf(List.of("1.1.1.1", "2.2.2.2", "3.3.3.3"), List.of(), List.of());
        assertThat(dns.resolvConf("web", "ClusterFirst", false, Optional.of(config)))
                .contains("nameserver 2.2.2.2\n").doesNotContain("3.3.3.3");
    }

    @Test
    void unknownPolicyIsRejected() {
        assertThatThrownBy(() -> dns.resolvConf("web", "Bogus", false, Optional.empty()))
                .hasMessageStartingWith("dnsPolicy: Bogus (expected:");
    }
}
