package dev.junction.apiserver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The fixed set of built-in resources Junction serves, mirroring the upstream registrations in
 * {@code pkg/registry/core/rest/storage_core.go}, {@code pkg/registry/apps/rest} and friends.
 */
public final class Resources {
    public static final ResourceType NAMESPACES = core("namespaces", "namespace", "Namespace", false, List.of("ns"), true, true);
    public static final ResourceType NODES = core("nodes", "node", "Node", false, List.of("no"), true, true);
    public static final ResourceType PODS = core("pods", "pod", "Pod", true, List.of("po"), true, false);
    public static final ResourceType SERVICES = core("services", "service", "Service", true, List.of("svc"), true, false);
    public static final ResourceType ENDPOINTS = core("endpoints", "endpoints", "Endpoints", true, List.of("ep"), false, false);
    public static final ResourceType EVENTS = core("events", "event", "Event", true, List.of("ev"), false, false);
    public static final ResourceType CONFIGMAPS = core("configmaps", "configmap", "ConfigMap", true, List.of("cm"), false, false);
    public static final ResourceType SECRETS = core("secrets", "secret", "Secret", true, List.of(), false, false);
    public static final ResourceType SERVICEACCOUNTS = core("serviceaccounts", "serviceaccount", "ServiceAccount", true, List.of("sa"), false, false);
    public static final ResourceType ENDPOINTSLICES = new ResourceType("discovery.k8s.io", "v1", "endpointslices", "endpointslice",
            "EndpointSlice", true, List.of(), false, false, false);
    public static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "deployments", "deployment", "Deployment",
            true, List.of("deploy"), true, true, true);
    public static final ResourceType REPLICASETS = new ResourceType("apps", "v1", "replicasets", "replicaset", "ReplicaSet",
            true, List.of("rs"), true, true, true);
    public static final ResourceType INGRESSES = new ResourceType("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress",
            true, List.of("ing"), true, false, true);
    public static final ResourceType INGRESSCLASSES = new ResourceType("networking.k8s.io", "v1", "ingressclasses", "ingressclass",
            "IngressClass", false, List.of(), false, false, true);
    public static final ResourceType NETWORKPOLICIES = new ResourceType("networking.k8s.io", "v1", "networkpolicies", "networkpolicy",
            "NetworkPolicy", true, List.of("netpol"), false, false, true);
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "leases", "lease", "Lease",
            true, List.of(), false, false, true);

    /** Every served resource, in discovery order. */
    public static final List<ResourceType> ALL = List.of(NAMESPACES, NODES, PODS, SERVICES, ENDPOINTS, EVENTS, CONFIGMAPS,
            SECRETS, SERVICEACCOUNTS, ENDPOINTSLICES, DEPLOYMENTS, REPLICASETS, INGRESSES, INGRESSCLASSES, NETWORKPOLICIES, LEASES);

    private static final Map<String, ResourceType> BY_PATH = ALL.stream().collect(Collectors.toMap(
            r -> r.apiVersion() + "/" + r.plural(), r -> r, (a, b) -> a, LinkedHashMap::new));

    private Resources() {
    }

    /** Looks up a resource by its apiVersion ({@code v1}, {@code apps/v1}) and plural name. */
    public static Optional<ResourceType> find(String apiVersion, String plural) {
        return Optional.ofNullable(BY_PATH.get(apiVersion + "/" + plural));
    }

    /** Looks up a resource by apiVersion and kind, as needed when a body names its own type. */
    public static Optional<ResourceType> byKind(String apiVersion, String kind) {
        return ALL.stream().filter(r -> r.apiVersion().equals(apiVersion) && r.kind().equals(kind)).findFirst();
    }

    /** The API group/versions served, in discovery order: {@code apps/v1}, … (core {@code v1} excluded). */
    public static List<String> groupVersions() {
        return ALL.stream().filter(r -> !r.group().isEmpty()).map(ResourceType::apiVersion).distinct().toList();
    }

    private static ResourceType core(String plural, String singular, String kind, boolean namespaced, List<String> shortNames,
            boolean hasStatus, boolean hasSpec) {
        return new ResourceType("", "v1", plural, singular, kind, namespaced, shortNames, hasStatus, false,
                hasSpec || plural.equals("pods") || plural.equals("services"));
    }
}
