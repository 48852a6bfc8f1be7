package dev.junction.dns;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dns}: runs the cluster DNS server until the process is terminated (SIGTERM closes it
 * cleanly through a shutdown hook). Options mirror CoreDNS's {@code kubernetes}, {@code ttl},
 * {@code forward} and {@code health}/{@code ready}/{@code prometheus} settings.
 */
@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "Cluster DNS server (CoreDNS kubernetes plugin role): Kubernetes DNS spec 1.1.0 over UDP+TCP.")
public final class DnsServerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DnsServerCommand.class);

    @Option(names = "--server", description = "API server URL (wins over --kubeconfig).")
    String server;

    @Option(names = "--kubeconfig", description = "Path of a kubeconfig file.")
    Path kubeconfig;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to bind UDP and TCP to (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "53", description = "UDP and TCP port, 0 = ephemeral (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--zone", defaultValue = "cluster.local", description = "Cluster domain (default: ${DEFAULT-VALUE}).")
    String zone;

    @Option(names = "--ttl", defaultValue = "5", description = "TTL of answers in seconds, 0-3600 (default: ${DEFAULT-VALUE}).")
    long ttl;

    @Option(names = "--upstream", description = "Upstream resolver host[:port] for other names; repeatable (default: none → SERVFAIL).")
    List<String> upstreams = new ArrayList<>();

    @Option(names = "--health-port", defaultValue = "8080",
            description = "Port of /healthz, /readyz and /metrics on --bind; 0 = off (default: ${DEFAULT-VALUE}).")
    int healthPort;

    @Override
    public Integer call() throws Exception {
        InetAddress bindAddress = IpLiterals.parse(bind)
                .orElseThrow(() -> new IllegalArgumentException("bind: " + bind + " (expected: an IP address)"));
        if (healthPort < 0 || healthPort > 65535) {
            throw new IllegalArgumentException("health-port: " + healthPort + " (expected: 0-65535)");
        }
        DnsServerBuilder builder = DnsServer.builder().zone(zone).bindAddress(bindAddress).port(port).ttl(ttl);
        upstreams.forEach(u -> builder.upstream(DnsServerBuilder.parseUpstream(u)));
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopped.countDown();
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dns-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (KubernetesClient client = KubeClients.create(Optional.ofNullable(server), Optional.ofNullable(kubeconfig));
             DnsServer dns = builder.client(client).build().start()) {
            Optional<DnsHealthServer> health = healthPort == 0 ? Optional.empty()
                    : Optional.of(DnsHealthServer.start(new InetSocketAddress(bindAddress, healthPort), dns));
            try {
                log.info("dns: listening on port {} (udp+tcp), health port {}", dns.port(),
                        health.map(h -> String.valueOf(h.port())).orElse("off"));
                stopped.await();
            } finally {
                health.ifPresent(DnsHealthServer::close);
            }
        } finally {
            closed.countDown();
        }
        return 0;
    }

    /** Runs the command standalone: {@code java -cp … dev.junction.dns.DnsServerCommand --port 5353}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new DnsServerCommand()).execute(args));
    }
}
