package dev.junction.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostLocalIpamTest {
    @TempDir
    Path dir;

    @Test
    void allocatesFromDotTwoWithoutDuplicatesAndNeverTheGatewayOrBroadcast() {
        HostLocalIpam ipam = new HostLocalIpam(PodCidr.parse("10.244.1.0/29"), dir);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            assertThat(seen.add(ipam.allocate("ns/p" + i + "/u"))).isTrue();
        }
        assertThat(seen).containsExactlyInAnyOrder("10.244.1.2", "10.244.1.3", "10.244.1.4", "10.244.1.5", "10.244.1.6");
        assertThatThrownBy(() -> ipam.allocate("ns/p9/u")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void sameKeyGetsSameAddress() {
        HostLocalIpam ipam = new HostLocalIpam(PodCidr.parse("10.244.1.0/24"), dir);
        assertThat(ipam.allocate("ns/a/1")).isEqualTo(ipam.allocate("ns/a/1"));
    }

    @Test
    void releaseFreesTheAddressAndAllocationContinuesRoundRobin() throws Exception {
        HostLocalIpam ipam = new HostLocalIpam(PodCidr.parse("10.244.1.0/24"), dir);
        String a = ipam.allocate("ns/a/1");
        ipam.allocate("ns/b/1");
        ipam.release("ns/a/1");
        assertThat(ipam.lookup("ns/a/1")).isEmpty();
        assertThat(Files.exists(dir.resolve(a))).isFalse();
        assertThat(ipam.allocate("ns/c/1")).isEqualTo("10.244.1.4");
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        String a = new HostLocalIpam(PodCidr.parse("10.244.1.0/24"), dir).allocate("ns/a/1");
        assertThat(Files.readString(dir.resolve(a))).isEqualTo("ns/a/1");
        HostLocalIpam restarted = new HostLocalIpam(PodCidr.parse("10.244.1.0/24"), dir);
        assertThat(restarted.lookup("ns/a/1")).contains(a);
        assertThat(restarted.allocate("ns/b/1")).isNotEqualTo(a);
        assertThat(restarted.allocations()).containsEntry(a, "ns/a/1").hasSize(2);
    }

    @Test
    void rejectsNonIpv4Cidr() {
        assertThatThrownBy(() -> PodCidr.parse("fd00::/64")).hasMessageContaining("cidr: fd00::/64 (expected:");
    }
}
