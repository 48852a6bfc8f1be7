package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A slim, immutable view of a Service: only what DNS answers need (CoreDNS keeps the same kind of
 * object in {@code plugin/kubernetes/object/service.go} so that memory per Service stays small).
 *
 * @param namespace                the Service's namespace
 * @param name                     the Service's name
 * @param kind                     ClusterIP, headless or ExternalName
 * @param clusterIps               the allocated cluster IPs (IPv4 and/or IPv6); empty for headless
 *                                 and ExternalName Services
 * @param externalName             the CNAME target of an ExternalName Service, else {@code ""}
 * @param ports                    the Service's ports
 * @param publishNotReadyAddresses whether not-ready endpoints are published too
 */
public record ServiceRecord(String namespace, String name, Kind kind, List<InetAddress> clusterIps,
        String externalName, List<PortRecord> ports, boolean publishNotReadyAddresses) {

    /** How the Service is published in DNS (Kubernetes DNS spec 1.1.0 sections 2.3, 2.4 and 2.5). */
    public enum Kind {
        /** A Service with a cluster IP: A/AAAA records of the cluster IP. */
        CLUSTER_IP,
        /** {@code clusterIP: None}: A/AAAA records of each ready endpoint. */
        HEADLESS,
        /** {@code type: ExternalName}: a CNAME to {@code spec.externalName}. */
        EXTERNAL_NAME
    }

    public ServiceRecord {
        namespace = requireNonNull(namespace, "namespace").intern(); // few namespaces, many Services
        requireNonNull(name, "name");
        requireNonNull(kind, "kind");
        clusterIps = List.copyOf(clusterIps);
        requireNonNull(externalName, "externalName");
        ports = List.copyOf(ports);
    }

    /** The informer-store key, {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    /**
     * Converts an API Service. Returns empty for a Service that DNS cannot publish: no spec, or a
     * non-headless, non-ExternalName Service whose cluster IP is not allocated yet or unparsable.
     */
    public static Optional<ServiceRecord> from(Service service) {
        requireNonNull(service, "service");
        ServiceSpec spec = service.getSpec();
        if (spec == null || service.getMetadata() == null) {
            return Optional.empty();
        }
        String ns = service.getMetadata().getNamespace() == null ? "default" : service.getMetadata().getNamespace();
        String name = service.getMetadata().getName();
        List<PortRecord> ports = new ArrayList<>();
        if (spec.getPorts() != null) {
            for (ServicePort p : spec.getPorts()) {
                if (p.getPort() != null && p.getPort() > 0 && p.getPort() < 65536) {
                    ports.add(new PortRecord(nullToEmpty(p.getName()),
                            p.getProtocol() == null ? "tcp" : p.getProtocol(), p.getPort()));
                }
            }
        }
        boolean publishNotReady = Boolean.TRUE.equals(spec.getPublishNotReadyAddresses());
        if ("ExternalName".equals(spec.getType())) {
            String target = nullToEmpty(spec.getExternalName());
            if (target.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ServiceRecord(ns, name, Kind.EXTERNAL_NAME, List.of(), target, ports, publishNotReady));
        }
        if ("None".equals(spec.getClusterIP())) {
            return Optional.of(new ServiceRecord(ns, name, Kind.HEADLESS, List.of(), "", ports, publishNotReady));
        }
        List<String> raw = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()
                ? spec.getClusterIPs()
                : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
        List<InetAddress> ips = new ArrayList<>();
        for (String ip : raw) {
            IpLiterals.parse(ip).ifPresent(ips::add);
        }
        if (ips.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ServiceRecord(ns, name, Kind.CLUSTER_IP, ips, "", ports, publishNotReady));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
