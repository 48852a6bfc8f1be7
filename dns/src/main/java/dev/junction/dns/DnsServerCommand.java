package dev.junction.dns;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
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
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code dns}: runs the cluster DNS server until the process is terminated (SIGTERM closes it
 * cleanly through a shutdown hook). Options mirror CoreDNS's {@code kubernetes}, {@code forward},
 * {@code cache}, {@code autopath}, {@code loadbalance} and {@code health}/{@code ready}/
 * {@code prometheus} settings; {@code --config FILE} reads a Corefile ({@link Corefile}), and flags
 * given on the command line win over it.
 */
@Command(name = "dns", mixinStandardHelpOptions = true,
        description = "Cluster DNS server (CoreDNS kubernetes plugin role): Kubernetes DNS spec 1.1.0 over UDP+TCP.")
public final class DnsServerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DnsServerCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--server", description = "API server URL (wins over --kubeconfig).")
    String server;

    @Option(names = "--kubeconfig", description = "Path of a kubeconfig file.")
    Path kubeconfig;

    @Option(names = "--config", description = "Corefile-style configuration file (flags given explicitly win).")
    Path config;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address to bind UDP and TCP to (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "53", description = "UDP and TCP port, 0 = ephemeral (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--zone", defaultValue = "cluster.local", split = ",",
            description = "Cluster domain(s); repeatable, the first is primary (default: ${DEFAULT-VALUE}).")
    List<String> zones = new ArrayList<>();

    @Option(names = "--ttl", defaultValue = "5", description = "TTL of answers in seconds, 0-3600 (default: ${DEFAULT-VALUE}).")
    long ttl;

    @Option(names = "--pods", defaultValue = "insecure",
            description = "Pod records a-b-c-d.<ns>.pod.<zone>: disabled, insecure or verified (default: ${DEFAULT-VALUE}).")
    String pods;

    @Option(names = "--endpoint-pod-names", description = "Name endpoints without hostname after their Pod (CoreDNS endpoint_pod_names).")
    boolean endpointPodNames;

    @Option(names = "--noendpoints", description = "Do not watch EndpointSlices; headless Services publish nothing.")
    boolean noEndpoints;

    @Option(names = "--fallthrough", arity = "0..*", paramLabel = "ZONE",
            description = "Forward NXDOMAIN answers for these zones (none given: all zones).")
    List<String> fallthrough;

    @Option(names = "--ignore-empty-service", description = "ClusterIP Services without ready endpoints are NXDOMAIN.")
    boolean ignoreEmptyService;

    @Option(names = "--upstream", description = "Upstream resolver host[:port] for other names; repeatable (default: the nameservers of --resolv-conf).")
    List<String> upstreams = new ArrayList<>();

    @Option(names = "--resolv-conf", defaultValue = "/etc/resolv.conf",
            description = "resolv.conf whose nameservers are the default upstreams and whose search list autopath appends; 'none' = neither (default: ${DEFAULT-VALUE}).")
    String resolvConf;

    @Option(names = "--cache", defaultValue = "30", description = "Longest TTL (s) of cached upstream answers; 0 = no cache (default: ${DEFAULT-VALUE}).")
    long cacheTtl;

    @Option(names = "--cache-success", defaultValue = "9984", description = "Capacity for positive upstream answers (default: ${DEFAULT-VALUE}).")
    int cacheSuccess;

    @Option(names = "--cache-denial", defaultValue = "9984", description = "Capacity for negative upstream answers (default: ${DEFAULT-VALUE}).")
    int cacheDenial;

    @Option(names = "--autopath", description = "Server-side search path for pods (CoreDNS autopath @kubernetes; watches Pods).")
    boolean autopath;

    @Option(names = "--round-robin", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Rotate A/AAAA answers (CoreDNS loadbalance round_robin) (default: ${DEFAULT-VALUE}).")
    boolean roundRobin;

    @Option(names = "--health-port", defaultValue = "8080",
            description = "Port of /healthz, /readyz and /metrics on --bind; 0 = off (default: ${DEFAULT-VALUE}).")
    int healthPort;

    @Override
    public Integer call() throws Exception {
        Optional<Corefile> file = config == null ? Optional.empty() : Optional.of(Corefile.parse(Files.readString(config)));
        String bindText = file.flatMap(Corefile::bind).filter(b -> !given("--bind")).orElse(bind);
        int dnsPort = file.flatMap(Corefile::port).filter(p -> !given("--port")).orElse(port);
        int health = file.flatMap(Corefile::healthPort).filter(p -> !given("--health-port")).orElse(healthPort);
        InetAddress bindAddress = IpLiterals.parse(bindText)
                .orElseThrow(() -> new IllegalArgumentException("bind: " + bindText + " (expected: an IP address)"));
        if (health < 0 || health > 65535) {
            throw new IllegalArgumentException("health-port: " + health + " (expected: 0-65535)");
        }
        DnsServerBuilder builder = builder(file);
        builder.bindAddress(bindAddress).port(dnsPort);
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
            Optional<DnsHealthServer> healthServer = health == 0 ? Optional.empty()
                    : Optional.of(DnsHealthServer.start(new InetSocketAddress(bindAddress, health), dns));
            try {
                log.info("dns: listening on port {} (udp+tcp), health port {}", dns.port(),
                        healthServer.map(h -> String.valueOf(h.port())).orElse("off"));
                stopped.await();
            } finally {
                healthServer.ifPresent(DnsHealthServer::close);
            }
        } finally {
            closed.countDown();
        }
        return 0;
    }

    /** The builder from the file (if any) overlaid with the flags given explicitly (or all flags without a file). */
    DnsServerBuilder builder(Optional<Corefile> file) throws IOException {
        DnsServerBuilder b = DnsServer.builder();
        file.ifPresent(f -> f.applyTo(b));
        boolean all = file.isEmpty();
        if (all || given("--zone")) {
            b.zones(zones);
        }
        if (all || given("--ttl")) {
            b.ttl(ttl);
        }
        if (all || given("--pods")) {
            b.pods(PodsMode.parse(pods));
        }
        if (given("--endpoint-pod-names")) {
            b.endpointPodNames(endpointPodNames);
        }
        if (given("--noendpoints")) {
            b.noEndpoints(noEndpoints);
        }
        if (fallthrough != null) {
            b.fallthrough(fallthrough);
        }
        if (given("--ignore-empty-service")) {
            b.ignoreEmptyService(ignoreEmptyService);
        }
        if (all || given("--cache") || given("--cache-success") || given("--cache-denial")) {
            b.cache(cacheTtl == 0 ? 0 : cacheSuccess, cacheTtl, cacheTtl == 0 ? 0 : cacheDenial, cacheTtl);
        }
        if (given("--autopath")) {
            b.autopath(autopath);
        }
        if (all || given("--round-robin") || given("--no-round-robin")) {
            b.roundRobin(roundRobin);
        }
        ResolvConf resolv = "none".equals(resolvConf) || resolvConf.isEmpty() ? ResolvConf.EMPTY
                : ResolvConf.read(Path.of(resolvConf));
        List<String> ups = !upstreams.isEmpty() ? upstreams
                : file.flatMap(Corefile::upstreams).orElse(List.of());
        if (ups.isEmpty()) {
            resolv.nameservers().forEach(ns -> b.upstream(new InetSocketAddress(ns, 53)));
        }
        for (String u : ups) {
            if (u.startsWith("/")) {
                ResolvConf r = ResolvConf.read(Path.of(u));
                r.nameservers().forEach(ns -> b.upstream(new InetSocketAddress(ns, 53)));
            } else {
                b.upstream(DnsServerBuilder.parseUpstream(u));
            }
        }
        b.hostSearch(resolv.search());
        return b;
    }

    private boolean given(String option) {
        if (spec == null) {
            return false;
        }
        ParseResult pr = spec.commandLine().getParseResult();
        return pr != null && pr.hasMatchedOption(option);
    }

    /** Runs the command standalone: {@code java -cp … dev.junction.dns.DnsServerCommand --port 5353}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new DnsServerCommand()).execute(args));
    }
}
