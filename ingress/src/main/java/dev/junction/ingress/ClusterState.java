package dev.junction.ingress;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.List;
import java.util.Map;

/**
 * What the controller has observed through its informers, copied at one instant: the input of
 * {@link RouteTableBuilder} and {@link CertificateStore}.
 *
 * @param ingresses all Ingresses (filtering by class happens in the builder)
 * @param classes   all IngressClasses
 * @param services  {@code namespace/name} → Service
 * @param slices    {@code namespace/service-name} → its EndpointSlices (label
 *                  {@code kubernetes.io/service-name})
 * @param secrets   {@code namespace/name} → Secret (only {@code kubernetes.io/tls} ones are used)
 */
public record ClusterState(List<Ingress> ingresses, List<IngressClass> classes, Map<String, Service> services,
        Map<String, List<EndpointSlice>> slices, Map<String, Secret> secrets) {

    /** Nothing observed yet. */
    public static final ClusterState EMPTY = new ClusterState(List.of(), List.of(), Map.of(), Map.of(), Map.of());

    public ClusterState {
        ingresses = List.copyOf(ingresses);
        classes = List.copyOf(classes);
        services = Map.copyOf(services);
        slices = Map.copyOf(slices);
        secrets = Map.copyOf(secrets);
    }
}
