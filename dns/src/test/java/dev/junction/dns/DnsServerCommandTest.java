package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code dns} command's options and their defaults (the contract with the CLI). */
class DnsServerCommandTest {
    @Test
    void defaults() {
        DnsServerCommand cmd = new DnsServerCommand();
        new CommandLine(cmd).parseArgs();
        assertThat(cmd.bind).isEqualTo("0.0.0.0");
        assertThat(cmd.port).isEqualTo(53);
        assertThat(cmd.zones).containsExactly("cluster.local");
        assertThat(cmd.pods).isEqualTo("insecure");
        assertThat(cmd.cacheTtl).isEqualTo(30);
        assertThat(cmd.cacheSuccess).isEqualTo(9984);
        assertThat(cmd.cacheDenial).isEqualTo(9984);
        assertThat(cmd.autopath).isFalse();
        assertThat(cmd.roundRobin).isTrue();
        assertThat(cmd.resolvConf).isEqualTo("/etc/resolv.conf");
        assertThat(cmd.fallthrough).isNull();
        assertThat(cmd.config).isNull();
        assertThat(cmd.ttl).isEqualTo(5);
        assertThat(cmd.upstreams).isEmpty();
        assertThat(cmd.healthPort).isEqualTo(8080);
        assertThat(cmd.server).isNull();
        assertThat(cmd.kubeconfig).isNull();
    }

    @Test
    void allOptions() {
        DnsServerCommand cmd = new DnsServerCommand();
        CommandLine cl = new CommandLine(cmd);
        cl.parseArgs("--server=http://10.96.0.1:443", "--kubeconfig", "/tmp/kc", "--bind", "127.0.0.1", "--port", "5353",
                "--zone", "example.local", "--ttl", "30", "--upstream", "10.0.0.2", "--upstream", "10.0.0.3:5353",
                "--health-port", "0");
        assertThat(cl.getCommandName()).isEqualTo("dns");
        assertThat(cmd.server).isEqualTo("http://10.96.0.1:443");
        assertThat(cmd.kubeconfig).hasToString("/tmp/kc");
        assertThat(cmd.port).isEqualTo(5353);
        assertThat(cmd.zones).containsExactly("example.local");
        assertThat(cmd.ttl).isEqualTo(30);
        assertThat(cmd.upstreams).containsExactly("10.0.0.2", "10.0.0.3:5353");
        assertThat(cmd.healthPort).isZero();
    }
}
