package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The Corefile subset ({@link Corefile}) and how the {@code dns} command merges it with flags. */
class CorefileTest {
    private static final String FULL = """
            # the lab's configuration
            .:5353 {
                errors
                bind 127.0.0.1
                kubernetes cluster.local example.local in-addr.arpa ip6.arpa {
                    pods verified
                    endpoint_pod_names
                    noendpoints
                    ttl 7
                    fallthrough in-addr.arpa ip6.arpa
                    ignore empty_service
                }
                forward . 10.0.0.2 10.0.0.3:5353
                cache 30 {
                    success 100 20
                    denial 50 5
                }
                autopath @kubernetes
                loadbalance round_robin
                health :8081
            }
            """;

    @Test
    void everyOptionIsRead() {
        Corefile f = Corefile.parse(FULL);
        assertThat(f.port()).contains(5353);
        assertThat(f.bind()).contains("127.0.0.1");
        assertThat(f.zones()).contains(List.of("cluster.local", "example.local", "in-addr.arpa", "ip6.arpa"));
        assertThat(f.pods()).contains(PodsMode.VERIFIED);
        assertThat(f.endpointPodNames()).isTrue();
        assertThat(f.noEndpoints()).isTrue();
        assertThat(f.ttl()).contains(7L);
        assertThat(f.fallthrough()).contains(List.of("in-addr.arpa", "ip6.arpa"));
        assertThat(f.ignoreEmptyService()).isTrue();
        assertThat(f.upstreams()).contains(List.of("10.0.0.2", "10.0.0.3:5353"));
        assertThat(f.cacheTtl()).contains(30L);
        assertThat(f.successCapacity()).contains(100);
        assertThat(f.successTtl()).contains(20L);
        assertThat(f.denialCapacity()).contains(50);
        assertThat(f.denialTtl()).contains(5L);
        assertThat(f.autopath()).isTrue();
        assertThat(f.roundRobin()).isTrue();
        assertThat(f.healthPort()).contains(8081);
    }

    @Test
    void errorsNameTheLine() {
        assertThatIllegalArgumentException().isThrownBy(() -> Corefile.parse(".:53 {\n kubernetes cluster.local {\n  pods maybe\n }\n}"))
                .withMessageContaining("line 3").withMessageContaining("expected: disabled, insecure or verified");
        assertThatIllegalArgumentException().isThrownBy(() -> Corefile.parse(".:53 {\n cache x\n}"))
                .withMessageContaining("line 2");
        assertThatIllegalArgumentException().isThrownBy(() -> Corefile.parse(".:53 {\n kubernetes cluster.local"))
                .withMessageContaining("expected: '}'");
    }

    @Test
    void fileSettingsApplyAndExplicitFlagsWin(@TempDir Path dir) throws Exception {
        Path resolv = dir.resolve("resolv.conf");
        Files.writeString(resolv, "search corp.example\nnameserver 10.0.0.53\n");
        DnsServerCommand cmd = new DnsServerCommand();
        new CommandLine(cmd).parseArgs("--config", "x", "--ttl", "9", "--resolv-conf", resolv.toString());
        DnsServerBuilder b = cmd.builder(Optional.of(Corefile.parse(FULL)));
        assertThat(b.ttl).isEqualTo(9);
        assertThat(b.pods).isEqualTo(PodsMode.VERIFIED);
        assertThat(b.zone.toString()).isEqualTo("cluster.local.");
        assertThat(b.extraZones).extracting(Object::toString).containsExactly("example.local.");
        assertThat(b.autopath).isTrue();
        assertThat(b.successCapacity).isEqualTo(100);
        assertThat(b.denialTtl).isEqualTo(5);
        assertThat(b.upstreams).extracting(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).containsExactly("10.0.0.2:53", "10.0.0.3:5353");
        assertThat(b.hostSearch).extracting(Object::toString).containsExactly("corp.example.");

        DnsServerCommand plain = new DnsServerCommand();
        new CommandLine(plain).parseArgs("--resolv-conf", resolv.toString(), "--zone", "a.local,b.local", "--autopath",
                "--no-round-robin", "--fallthrough");
        DnsServerBuilder p = plain.builder(Optional.empty());
        assertThat(p.upstreams).extracting(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).containsExactly("10.0.0.53:53");
        assertThat(p.zone.toString()).isEqualTo("a.local.");
        assertThat(p.autopath).isTrue();
        assertThat(p.roundRobin).isFalse();
        assertThat(p.fallthrough).extracting(Object::toString).containsExactly(".");
        assertThat(p.pods).isEqualTo(PodsMode.INSECURE);
    }

    @Test
    void aMinimalFileTakesCoreDnsDefaults() {
        Corefile f = Corefile.parse(".:53 {\n  kubernetes cluster.local\n  forward . /etc/resolv.conf\n}\n");
        DnsServerBuilder b = DnsServer.builder();
        f.applyTo(b);
        assertThat(b.pods).isEqualTo(PodsMode.DISABLED);
        assertThat(b.successCapacity).isZero();
        assertThat(b.roundRobin).isFalse();
        assertThat(b.autopath).isFalse();
    }
}
