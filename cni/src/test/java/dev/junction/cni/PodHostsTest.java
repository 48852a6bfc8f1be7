package dev.junction.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodHostsTest {
    static final String LOCAL = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            + "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";

    @Test
    void plainPod() {
        assertThat(PodHosts.render("10.244.1.2", "web-0", Optional.empty(), "default", "cluster.local", List.of()))
                .isEqualTo(LOCAL + "10.244.1.2\tweb-0\n");
    }

    @Test
    void subdomainAddsTheFqdn() {
        assertThat(PodHosts.render("10.244.1.2", "web-0", Optional.of("web"), "shop", "cluster.local", List.of()))
                .isEqualTo(LOCAL + "10.244.1.2\tweb-0.web.shop.svc.cluster.local\tweb-0\n");
    }

    @Test
    void hostAliasesOneLinePerIp() {
        var aliases = List.of(new PodHosts.HostAlias("127.0.0.1", List.of("foo.local", "bar.local")),
                new PodHosts.HostAlias("10.1.2.3", List.of("foo.remote")));
        assertThat(PodHosts.render("10.244.1.2", "p", Optional.empty(), "default", "cluster.local", aliases))
                .isEqualTo(LOCAL + "10.244.1.2\tp\n\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n"
                        + "10.1.2.3\tfoo.remote\n");
    }

    @Test
    void hostNetworkKeepsTheNodeFile() {
        assertThat(PodHosts.renderHostNetwork("127.0.0.1 localhost\n", List.of()))
                .isEqualTo("# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n");
    }

    @Test
    void hostnameIsSpecHostnameElsePodNameTruncatedTo63() {
        assertThat(PodHosts.hostname("pod", Optional.of("custom"))).isEqualTo("custom");
        assertThat(PodHosts.hostname("pod", Optional.empty())).isEqualTo("pod");
        String longName = "a".repeat(62) + "-bcd";
        assertThat(PodHosts.hostname(longName, Optional.empty())).isEqualTo("a".repeat(62));
    }
}
