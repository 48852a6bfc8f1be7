package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A slim, immutable view of a {@code discovery.k8s.io/v1} EndpointSlice (CoreDNS:
 * {@code plugin/kubernetes/object/endpoint.go}). Every address of every endpoint becomes one
 * {@link EndpointRecord}; FQDN slices are ignored.
 *
 * @param namespace   the slice's namespace
 * @param name        the slice's name
 * @param serviceName the owning Service, from label {@code kubernetes.io/service-name}
 * @param endpoints   the endpoint addresses, ready or not
 * @param ports       the slice's ports (used for SRV records of headless Services)
 */
public record EndpointSliceRecord(String namespace, String name, String serviceName,
        List<EndpointRecord> endpoints, List<PortRecord> ports) {

    /** The label that ties a slice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    public EndpointSliceRecord {
        namespace = requireNonNull(namespace, "namespace").intern();
        requireNonNull(name, "name");
        requireNonNull(serviceName, "serviceName");
        endpoints = List.copyOf(endpoints);
        ports = List.copyOf(ports);
    }

    /** The informer-store key, {@code namespace/name}. */
    public String key() {
        return namespace + "/" + name;
    }

    /** The key of the owning Service, {@code namespace/serviceName}. */
    public String serviceKey() {
        return namespace + "/" + serviceName;
    }

    /**
     * Converts an API EndpointSlice. Returns empty for a slice without the service-name label or
     * with address type FQDN.
     */
    public static Optional<EndpointSliceRecord> from(EndpointSlice slice) {
        requireNonNull(slice, "slice");
        if (slice.getMetadata() == null || "FQDN".equals(slice.getAddressType())) {
            return Optional.empty();
        }
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        if (service == null || service.isEmpty()) {
            return Optional.empty();
        }
        List<EndpointRecord> endpoints = new ArrayList<>();
        if (slice.getEndpoints() != null) {
            for (Endpoint e : slice.getEndpoints()) {
                boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                        || e.getConditions().getReady();
                String hostname = e.getHostname() == null ? "" : e.getHostname();
                if (e.getAddresses() == null) {
                    continue;
                }
                String pod = e.getTargetRef() != null && "Pod".equals(e.getTargetRef().getKind())
                        && e.getTargetRef().getName() != null ? e.getTargetRef().getName() : "";
                for (String a : e.getAddresses()) {
                    IpLiterals.parse(a).ifPresent(ip -> endpoints.add(new EndpointRecord(ip, hostname, ready, pod)));
                }
            }
        }
        List<PortRecord> ports = new ArrayList<>();
        if (slice.getPorts() != null) {
            for (EndpointPort p : slice.getPorts()) {
                if (p.getPort() != null && p.getPort() > 0 && p.getPort() < 65536) {
                    ports.add(new PortRecord(p.getName() == null ? "" : p.getName(),
                            p.getProtocol() == null ? "tcp" : p.getProtocol(), p.getPort()));
                }
            }
        }
        String ns = slice.getMetadata().getNamespace() == null ? "default" : slice.getMetadata().getNamespace();
        return Optional.of(new EndpointSliceRecord(ns, slice.getMetadata().getName(), service, endpoints, ports));
    }
}
