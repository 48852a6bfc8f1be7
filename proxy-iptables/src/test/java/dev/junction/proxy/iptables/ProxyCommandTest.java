package dev.junction.proxy.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.proxy.ProxyConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProxyCommandTest {
    @Test
    void defaults() {
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs("--hostname-override", "jn-node-a");
        ProxyConfig config = command.config();
        assertThat(config.clusterCIDR()).contains("10.244.0.0/16");
        assertThat(config.iptables().minSyncPeriod()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.iptables().syncPeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.iptables().backend()).isEqualTo("default");
        assertThat(config.metricsBindAddress()).isEqualTo("127.0.0.1:10249");
    }

    @Test
    void labFlags() {
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs("--server", "http://172.30.0.10:6443", "--hostname-override", "jn-node-a",
                "--min-sync-period", "0s", "--iptables-sync-period", "10s", "--iptables-backend", "legacy",
                "--cluster-cidr", "", "--metrics-bind-address", "");
        ProxyConfig config = command.config();
        assertThat(config.iptables().minSyncPeriod()).isZero();
        assertThat(config.iptables().syncPeriod()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.iptables().backend()).isEqualTo("legacy");
        assertThat(config.clusterCIDR()).isEmpty();
        assertThat(config.metricsBindAddress()).isEmpty();
    }

    @Test
    void hostnameOverrideIsRequired() {
        int exit = new CommandLine(new ProxyCommand()).setErr(new java.io.PrintWriter(java.io.Writer.nullWriter())).execute();
        assertThat(exit).isEqualTo(2);
    }

    @Test
    void proxyModeSelectsAModeFromTheClassPath() {
        ProxyCommand command = new ProxyCommand();
        new CommandLine(command).parseArgs("--hostname-override", "n", "--proxy-mode", "nftables", "--nftables-sync-period", "5s");
        assertThat(command.config().mode()).isEqualTo("nftables");
        assertThat(command.config().userspace()).isEqualTo(ProxyConfig.Userspace.DEFAULTS);
        assertThat(command.config().iptables().syncPeriod()).isEqualTo(Duration.ofSeconds(5));
        new CommandLine(command).parseArgs("--hostname-override", "n", "--proxy-mode", "userspace", "--ipvs-scheduler", "lc",
                "--udp-timeout", "1s");
        assertThat(command.config().userspace()).isEqualTo(new ProxyConfig.Userspace("lc", Duration.ofSeconds(1)));
        assertThat(dev.junction.proxy.ProxyMode.forName("iptables")).isInstanceOf(IptablesProxyMode.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.junction.proxy.ProxyMode.forName("ipvs"))
                .hasMessageStartingWith("proxy-mode: ipvs (expected: one of [iptables");
    }
}
