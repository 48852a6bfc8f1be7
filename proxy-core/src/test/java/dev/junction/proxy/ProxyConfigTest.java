package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {
    @Test
    void defaults() {
        ProxyConfig config = ProxyConfig.defaults();
        assertThat(config.masqueradeMark()).isEqualTo("0x4000");
        assertThat(config.clusterCIDR()).contains("10.244.0.0/16");
        assertThat(config.iptables().minSyncPeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.iptables().syncPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.metricsBindAddress()).isEqualTo("127.0.0.1:10249");
    }

    @Test
    void validates() {
        assertThatThrownBy(() -> ProxyConfig.defaults().withClusterCIDR(Optional.of("10.244.0.0")))
                .hasMessageContaining("CIDR: 10.244.0.0 (expected:");
        assertThatThrownBy(() -> new ProxyConfig("ipvs", Optional.empty(), java.util.List.of(), false, 14, "",
                ProxyConfig.defaults().iptables())).hasMessage("mode: ipvs (expected: iptables, nftables or userspace)");
        assertThat(ProxyConfig.defaults().withClusterCIDR(Optional.of("10.244.1.7/16")).clusterCIDR()).contains("10.244.0.0/16");
    }
}
