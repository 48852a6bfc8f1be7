package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What kube-proxy needs from one Service port: upstream {@code BaseServicePortInfo}
 * (kubernetes pkg/proxy/serviceport.go), slimmed to plain values.
 *
 * @param clusterIP                IPv4 ClusterIP, dotted quad
 * @param port                     the Service port (1..65535)
 * @param protocol                 TCP, UDP or SCTP
 * @param nodePort                 allocated NodePort, or 0 when the Service has none
 * @param sessionAffinity          None or ClientIP with its timeout
 * @param externalIPs              {@code spec.externalIPs} (IPv4 only, in API order)
 * @param loadBalancerIPs          {@code status.loadBalancer.ingress[].ip} (IPv4 only)
 * @param loadBalancerSourceRanges {@code spec.loadBalancerSourceRanges}, trimmed CIDRs
 * @param externalTrafficPolicy    policy for NodePort / LB / external IP traffic
 * @param internalTrafficPolicy    policy for ClusterIP traffic
 * @param healthCheckNodePort      {@code spec.healthCheckNodePort}, or 0
 */
public record ServicePortInfo(
        String clusterIP,
        int port,
        Protocol protocol,
        int nodePort,
        SessionAffinity sessionAffinity,
        List<String> externalIPs,
        List<String> loadBalancerIPs,
        List<String> loadBalancerSourceRanges,
        TrafficPolicy externalTrafficPolicy,
        TrafficPolicy internalTrafficPolicy,
        int healthCheckNodePort) {

    public ServicePortInfo {
        requireNonNull(clusterIP, "clusterIP");
        requireNonNull(protocol, "protocol");
        requireNonNull(sessionAffinity, "sessionAffinity");
        requireNonNull(externalTrafficPolicy, "externalTrafficPolicy");
        requireNonNull(internalTrafficPolicy, "internalTrafficPolicy");
        externalIPs = List.copyOf(externalIPs);
        loadBalancerIPs = List.copyOf(loadBalancerIPs);
        loadBalancerSourceRanges = List.copyOf(loadBalancerSourceRanges);
        checkPort("port", port, false);
        checkPort("nodePort", nodePort, true);
        checkPort("healthCheckNodePort", healthCheckNodePort, true);
    }

    /** A plain ClusterIP port with defaults for everything else. */
    public static ServicePortInfo clusterIP(String clusterIP, int port, Protocol protocol) {
        return new ServicePortInfo(clusterIP, port, protocol, 0, SessionAffinity.NONE, List.of(), List.of(), List.of(),
                TrafficPolicy.CLUSTER, TrafficPolicy.CLUSTER, 0);
    }

    /** This port with {@code nodePort} set. */
    public ServicePortInfo withNodePort(int nodePort) {
        return new ServicePortInfo(clusterIP, port, protocol, nodePort, sessionAffinity, externalIPs, loadBalancerIPs,
                loadBalancerSourceRanges, externalTrafficPolicy, internalTrafficPolicy, healthCheckNodePort);
    }

    /** This port with {@code sessionAffinity} set. */
    public ServicePortInfo withSessionAffinity(SessionAffinity sessionAffinity) {
        return new ServicePortInfo(clusterIP, port, protocol, nodePort, sessionAffinity, externalIPs, loadBalancerIPs,
                loadBalancerSourceRanges, externalTrafficPolicy, internalTrafficPolicy, healthCheckNodePort);
    }

    /** True when traffic can enter through a NodePort, an external IP or a load-balancer IP. */
    public boolean externallyAccessible() {
        return nodePort != 0 || !externalIPs.isEmpty() || !loadBalancerIPs.isEmpty();
    }

    /** True when external traffic is limited to local endpoints (only meaningful when externally accessible). */
    public boolean externalPolicyLocal() {
        return externallyAccessible() && externalTrafficPolicy == TrafficPolicy.LOCAL;
    }

    /** True when ClusterIP traffic is limited to local endpoints. */
    public boolean internalPolicyLocal() {
        return internalTrafficPolicy == TrafficPolicy.LOCAL;
    }

    /**
     * Upstream {@code UsesClusterEndpoints}: internal policy Cluster, or any external access (Local
     * external policy still needs cluster endpoints for its short-circuit rules).
     */
    public boolean usesClusterEndpoints() {
        return !internalPolicyLocal() || externallyAccessible();
    }

    /** Upstream {@code UsesLocalEndpoints}: either traffic policy is Local. */
    public boolean usesLocalEndpoints() {
        return internalPolicyLocal() || externalPolicyLocal();
    }

    /** This port with external IPs, load-balancer IPs and source ranges set. */
    public ServicePortInfo withExternal(List<String> externalIPs, List<String> loadBalancerIPs,
            List<String> loadBalancerSourceRanges) {
        return new ServicePortInfo(clusterIP, port, protocol, nodePort, sessionAffinity, externalIPs, loadBalancerIPs,
                loadBalancerSourceRanges, externalTrafficPolicy, internalTrafficPolicy, healthCheckNodePort);
    }

    /** This port with traffic policies and health-check node port set. */
    public ServicePortInfo withPolicies(TrafficPolicy external, TrafficPolicy internal, int healthCheckNodePort) {
        return new ServicePortInfo(clusterIP, port, protocol, nodePort, sessionAffinity, externalIPs, loadBalancerIPs,
                loadBalancerSourceRanges, external, internal, healthCheckNodePort);
    }

    /**
     * The proxied ports of a Service, keyed by name, sorted. Like upstream
     * {@code ServiceChangeTracker.serviceToServiceMap}: headless Services ({@code clusterIP: None} or
     * empty) and {@code ExternalName} Services yield nothing; only IPv4 addresses are kept.
     */
    public static Map<ServicePortName, ServicePortInfo> fromService(Service service) {
        requireNonNull(service, "service");
        ServiceSpec spec = service.getSpec();
        if (spec == null || "ExternalName".equals(spec.getType()) || !isIPv4(spec.getClusterIP())) {
            return Map.of();
        }
        String namespace = service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        SessionAffinity affinity = SessionAffinity.NONE;
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            Integer timeout = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                    ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            affinity = SessionAffinity.clientIp(timeout == null ? SessionAffinity.DEFAULT_TIMEOUT_SECONDS : timeout);
        }
        List<String> externalIPs = ipv4s(spec.getExternalIPs());
        List<String> lbIPs = new ArrayList<>();
        if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
                if (isIPv4(ingress.getIp())) {
                    lbIPs.add(ingress.getIp());
                }
            }
        }
        List<String> sourceRanges = new ArrayList<>();
        for (String range : nonNull(spec.getLoadBalancerSourceRanges())) {
            sourceRanges.add(range.strip());
        }
        boolean externalType = "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType());
        // Upstream NeedsHealthCheck: only LoadBalancer Services with externalTrafficPolicy Local.
        int healthCheckNodePort = "LoadBalancer".equals(spec.getType()) && "Local".equals(spec.getExternalTrafficPolicy())
                && spec.getHealthCheckNodePort() != null ? spec.getHealthCheckNodePort() : 0;
        Map<ServicePortName, ServicePortInfo> ports = new TreeMap<>();
        for (ServicePort port : nonNull(spec.getPorts())) {
            Protocol protocol = Protocol.parse(port.getProtocol());
            ServicePortName key = new ServicePortName(namespace, name, port.getName() == null ? "" : port.getName(), protocol);
            int nodePort = externalType && port.getNodePort() != null ? port.getNodePort() : 0;
            ports.put(key, new ServicePortInfo(spec.getClusterIP(), port.getPort(), protocol, nodePort, affinity,
                    externalIPs, lbIPs, sourceRanges,
                    TrafficPolicy.parse(spec.getExternalTrafficPolicy()), TrafficPolicy.parse(spec.getInternalTrafficPolicy()),
                    healthCheckNodePort));
        }
        return Collections.unmodifiableMap(ports);
    }

    /** True when {@code value} is a dotted-quad IPv4 address. */
    static boolean isIPv4(String value) {
        return Optional.ofNullable(value)
                .filter(v -> v.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
                .map(v -> {
                    for (String octet : v.split("\\.")) {
                        if (Integer.parseInt(octet) > 255) {
                            return false;
                        }
                    }
                    return true;
                })
                .orElse(false);
    }

    private static List<String> ipv4s(List<String> values) {
        return nonNull(values).stream().filter(ServicePortInfo::isIPv4).toList();
    }

    private static <T> List<T> nonNull(List<T> values) {
        return values == null ? List.of() : values;
    }

    private static void checkPort(String what, int value, boolean zeroAllowed) {
        if (value < (zeroAllowed ? 0 : 1) || value > 65_535) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: " + (zeroAllowed ? "0" : "1") + "..65535)");
        }
    }
}
