package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Objects kube-apiserver creates at start: the system namespaces (upstream
 * {@code pkg/controlplane/controller/systemnamespaces}) and the {@code default/kubernetes} Service
 * with its Endpoints and EndpointSlice pointing at the advertise address, as the endpoint reconciler
 * does ({@code pkg/controlplane/reconcilers/instancecount.go} and
 * {@code pkg/controlplane/controller/kubernetesservice}). Idempotent: run at every start.
 */
final class Bootstrap {
    static final List<String> SYSTEM_NAMESPACES = List.of("default", "kube-system", "kube-public", "kube-node-lease");

    private final ObjectRegistry registry;
    private final String clusterIp;
    private final String advertiseAddress;
    private final int advertisePort;

    Bootstrap(ObjectRegistry registry, String clusterIp, String advertiseAddress, int advertisePort) {
        this.registry = requireNonNull(registry, "registry");
        this.clusterIp = requireNonNull(clusterIp, "clusterIp");
        this.advertiseAddress = requireNonNull(advertiseAddress, "advertiseAddress");
        this.advertisePort = advertisePort;
    }

    void run() {
        synchronized (registry.store()) {
            for (String ns : SYSTEM_NAMESPACES) {
                if (registry.store().get(Resources.NAMESPACES, "", ns).isEmpty()) {
                    ObjectNode o = Json.MAPPER.createObjectNode();
                    Json.meta(o).put("name", ns).putObject("labels").put("kubernetes.io/metadata.name", ns);
                    registry.create(Resources.NAMESPACES, "", o, false);
                }
            }
            ensure(Resources.SERVICES, service());
            ensure(Resources.ENDPOINTS, endpoints());
            ensure(Resources.ENDPOINTSLICES, endpointSlice());
        }
    }

    private void ensure(ResourceType type, ObjectNode wanted) {
        Optional<ObjectNode> existing = registry.store().get(type, "default", "kubernetes");
        if (existing.isEmpty()) {
            registry.create(type, "default", wanted, false);
            return;
        }
        ObjectNode current = existing.get();
        boolean same = type == Resources.SERVICES
                ? current.path("spec").path("ports").equals(wanted.path("spec").path("ports"))
                : type == Resources.ENDPOINTS ? current.path("subsets").equals(wanted.path("subsets"))
                : current.path("endpoints").equals(wanted.path("endpoints")) && current.path("ports").equals(wanted.path("ports"));
        if (!same) {
            ObjectNode update = wanted.deepCopy();
            if (type == Resources.SERVICES) {
                Json.obj(update, "spec").put("clusterIP", current.path("spec").path("clusterIP").asText());
            }
            registry.update(type, "default", "kubernetes", update, Optional.empty(), false);
        }
    }

    private ObjectNode service() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        ObjectNode meta = Json.meta(o).put("name", "kubernetes").put("namespace", "default");
        meta.putObject("labels").put("component", "apiserver").put("provider", "kubernetes");
        ObjectNode spec = o.putObject("spec");
        spec.put("type", "ClusterIP").put("clusterIP", clusterIp).put("sessionAffinity", "None");
        spec.putArray("ports").addObject().put("name", "https").put("port", 443).put("protocol", "TCP")
                .put("targetPort", advertisePort);
        return o;
    }

    private ObjectNode endpoints() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        ObjectNode meta = Json.meta(o).put("name", "kubernetes").put("namespace", "default");
        meta.putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
        ObjectNode subset = o.putArray("subsets").addObject();
        subset.putArray("addresses").addObject().put("ip", advertiseAddress);
        subset.putArray("ports").addObject().put("name", "https").put("port", advertisePort).put("protocol", "TCP");
        return o;
    }

    private ObjectNode endpointSlice() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        ObjectNode meta = Json.meta(o).put("name", "kubernetes").put("namespace", "default");
        meta.putObject("labels").put("kubernetes.io/service-name", "kubernetes");
        o.put("addressType", "IPv4");
        ObjectNode ep = o.putArray("endpoints").addObject();
        ep.putArray("addresses").add(advertiseAddress);
        ep.putObject("conditions").put("ready", true);
        o.putArray("ports").addObject().put("name", "https").put("port", advertisePort).put("protocol", "TCP");
        return o;
    }
}
