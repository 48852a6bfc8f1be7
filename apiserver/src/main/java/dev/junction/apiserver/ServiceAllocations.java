package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * ClusterIP and NodePort allocation in the Service create/update/delete path, as upstream
 * {@code pkg/registry/core/service/storage/alloc.go} (allocClusterIPs, allocNodePorts, txn
 * rollback) and {@code pkg/registry/core/service/strategy.go} (dropTypeDependentFields,
 * patchAllocatedValues). IPv4 single-stack only. Not thread-safe: callers hold the store lock.
 */
final class ServiceAllocations {
    /** Allocations made for one write: undone on failure, and the old ones released on success. */
    static final class Transaction {
        private final List<Runnable> undo = new ArrayList<>();
        private final List<Runnable> onCommit = new ArrayList<>();
        private final List<String> claims = new ArrayList<>();
        private final List<String> releases = new ArrayList<>();

        /** The allocation keys this write claims and releases, for the storage transaction. */
        Storage.Guards guards() {
            return new Storage.Guards(claims, releases);
        }

        /** Releases what this write allocated (the write failed). */
        void rollback() {
            undo.forEach(Runnable::run);
        }

        /** Releases what the previous version held and the new one no longer does (the write committed). */
        void commit() {
            onCommit.forEach(Runnable::run);
        }
    }

    private final ClusterIpAllocator ips;
    private final NodePortAllocator ports;

    ServiceAllocations(ClusterIpAllocator ips, NodePortAllocator ports) {
        this.ips = requireNonNull(ips, "ips");
        this.ports = requireNonNull(ports, "ports");
    }

    ClusterIpAllocator ips() {
        return ips;
    }

    /**
     * The storage key guarding one ClusterIP: one key per address, as the IPAddress objects of
     * upstream's MultiCIDRServiceAllocator (KEP-1880, {@code pkg/registry/core/service/ipallocator}
     * {@code Allocator} backed by {@code networking.k8s.io IPAddress} at {@code /registry/ipaddresses/<ip>}).
     */
    static String ipKey(String ip) {
        return "ipaddresses/" + ip;
    }

    /**
     * The storage key guarding one NodePort (upstream keeps one bitmap at
     * {@code /registry/ranges/servicenodeports}, {@code pkg/registry/core/service/portallocator};
     * one key per port lets a transaction claim exactly the ports it takes).
     */
    static String portKey(int port) {
        return "ranges/servicenodeports/" + port;
    }

    /** Every allocation key a stored Service holds (released when it is deleted). */
    static Storage.Guards held(ObjectNode svc) {
        List<String> keys = new ArrayList<>();
        String ip = svc.path("spec").path("clusterIP").asText("");
        if (!ip.isEmpty() && !ip.equals("None")) {
            keys.add(ipKey(ip));
        }
        for (int np : nodePorts(svc.path("spec"))) {
            keys.add(portKey(np));
        }
        return new Storage.Guards(List.of(), keys);
    }

    /**
     * Marks an allocation key another API server holds as taken here (its transaction won), so the
     * next attempt allocates something else.
     */
    void markTaken(String key) {
        if (key.startsWith("ipaddresses/")) {
            ips.allocate(key.substring("ipaddresses/".length()));
        } else if (key.startsWith("ranges/servicenodeports/")) {
            ports.allocate(Integer.parseInt(key.substring("ranges/servicenodeports/".length())));
        }
    }

    /** Marks the addresses and ports of a stored Service allocated (rebuild at start). */
    void restore(ObjectNode svc) {
        JsonNode spec = svc.path("spec");
        String ip = spec.path("clusterIP").asText("");
        if (!ip.isEmpty() && !ip.equals("None")) {
            ips.allocate(ip);
        }
        for (int np : nodePorts(spec)) {
            ports.allocate(np);
        }
    }

    /** Releases everything a deleted Service held. */
    void release(ObjectNode svc) {
        JsonNode spec = svc.path("spec");
        String ip = spec.path("clusterIP").asText("");
        if (!ip.isEmpty() && !ip.equals("None")) {
            ips.release(ip);
        }
        for (int np : nodePorts(spec)) {
            ports.release(np);
        }
    }

    /**
     * Before validation on update: carries allocated values over from {@code old} when the new
     * object leaves them unset, and drops NodePorts the new type does not use.
     */
    void prepareUpdate(ObjectNode old, ObjectNode svc) {
        ObjectNode spec = Json.obj(svc, "spec");
        JsonNode oldSpec = old.path("spec");
        String type = spec.path("type").asText("ClusterIP");
        normalizeClusterIps(oldSpec, spec);
        dropTypeDependentFields(oldSpec, spec, type);
        if (!type.equals("ExternalName") && spec.path("clusterIP").asText("").isEmpty()
                && !oldSpec.path("clusterIP").asText("").isEmpty()) {
            spec.put("clusterIP", oldSpec.path("clusterIP").asText());
            if (!spec.has("clusterIPs") || spec.path("clusterIPs").size() == 0) {
                spec.set("clusterIPs", oldSpec.path("clusterIPs").deepCopy());
            }
        }
        boolean needsNodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
        for (JsonNode p : spec.path("ports")) {
            if (!(p instanceof ObjectNode o)) {
                continue;
            }
            int np = o.path("nodePort").asInt(0);
            if (!needsNodePorts) {
                if (np != 0 && nodePorts(oldSpec).contains(np)) {
                    o.remove("nodePort");
                }
            } else if (np == 0) {
                for (JsonNode op : oldSpec.path("ports")) {
                    if (op.path("nodePort").asInt(0) != 0 && op.path("port").asInt() == o.path("port").asInt()
                            && op.path("protocol").asText("TCP").equals(o.path("protocol").asText("TCP"))) {
                        o.put("nodePort", op.path("nodePort").asInt());
                    }
                }
            }
        }
        if (type.equals("ExternalName")) {
            spec.remove("clusterIP");
            spec.remove("clusterIPs");
            spec.remove("ipFamilies");
            spec.remove("ipFamilyPolicy");
        }
    }

    /**
     * normalizeClusterIPs of the upstream service strategy on update: when the client changed only
     * one of {@code clusterIP} / {@code clusterIPs}, the other follows it.
     */
    private static void normalizeClusterIps(JsonNode oldSpec, ObjectNode spec) {
        String oldIp = oldSpec.path("clusterIP").asText("");
        String ip = spec.path("clusterIP").asText("");
        JsonNode ips = spec.path("clusterIPs");
        boolean ipChanged = !ip.equals(oldIp);
        boolean ipsChanged = !ips.equals(oldSpec.path("clusterIPs")) && !(ips.isMissingNode() || ips.isNull());
        if (ipChanged && !ipsChanged) {
            if (ip.isEmpty()) {
                spec.remove("clusterIPs");
            } else if (ips.size() <= 1) {
                spec.putArray("clusterIPs").add(ip);
            }
        } else if (ipsChanged && !ipChanged && ips.size() > 0) {
            spec.put("clusterIP", ips.get(0).asText());
        }
        Defaults.normalizeClusterIps(spec);
    }

    /**
     * dropTypeDependentFields of the upstream service strategy: fields that only mean something for
     * the old type are cleared when the type changes and the client left them as they were.
     */
    private static void dropTypeDependentFields(JsonNode oldSpec, ObjectNode spec, String type) {
        String oldType = oldSpec.path("type").asText("ClusterIP");
        if (type.equals(oldType)) {
            return;
        }
        boolean external = type.equals("NodePort") || type.equals("LoadBalancer") || spec.path("externalIPs").size() > 0;
        if (!external && spec.path("externalTrafficPolicy").equals(oldSpec.path("externalTrafficPolicy"))) {
            spec.remove("externalTrafficPolicy");
        }
        if (!type.equals("LoadBalancer")) {
            for (String f : new String[] {"allocateLoadBalancerNodePorts", "loadBalancerClass", "healthCheckNodePort"}) {
                if (spec.path(f).equals(oldSpec.path(f))) {
                    spec.remove(f);
                }
            }
        }
    }

    /**
     * Allocates for a created Service ({@code old} empty) or an updated one, after validation.
     *
     * @throws ApiException 422 naming {@code spec.clusterIPs[0]}, {@code spec.clusterIP} or
     *                      {@code spec.ports[i].nodePort}; nothing stays allocated then
     */
    Transaction allocate(ResourceType type, String name, Optional<ObjectNode> old, ObjectNode svc) {
        Transaction tx = new Transaction();
        List<FieldError> errs = new ArrayList<>();
        ObjectNode spec = Json.obj(svc, "spec");
        JsonNode oldSpec = old.map(o -> o.path("spec")).orElse(Json.MAPPER.createObjectNode());
        String svcType = spec.path("type").asText("ClusterIP");
        String oldIp = oldSpec.path("clusterIP").asText("");
        String ip = spec.path("clusterIP").asText("");
        if (svcType.equals("ExternalName")) {
            if (!oldIp.isEmpty() && !oldIp.equals("None")) {
                tx.onCommit.add(() -> ips.release(oldIp));
                tx.releases.add(ipKey(oldIp));
            }
        } else {
            if (!oldIp.isEmpty() && !ip.equals(oldIp)) {
                errs.add(FieldError.invalid("spec.clusterIP", ip, "field is immutable"));
            } else if (oldIp.isEmpty() && ip.isEmpty()) {
                Optional<String> next = ips.allocateNext();
                if (next.isEmpty()) {
                    errs.add(FieldError.invalid("spec.clusterIPs", "", "failed to allocate IP: range is full"));
                } else {
                    ip = next.get();
                    String allocated = ip;
                    tx.undo.add(() -> ips.release(allocated));
                    tx.claims.add(ipKey(allocated));
                }
            } else if (oldIp.isEmpty() && !ip.equals("None")) {
                Optional<String> err = ips.allocate(ip);
                if (err.isPresent()) {
                    errs.add(FieldError.invalid("spec.clusterIPs[0]", ip, err.get()));
                } else {
                    String allocated = ip;
                    tx.undo.add(() -> ips.release(allocated));
                    tx.claims.add(ipKey(allocated));
                }
            }
            if (errs.isEmpty()) {
                spec.put("clusterIP", ip);
                spec.putArray("clusterIPs").add(ip);
                if (!spec.has("ipFamilies") || spec.path("ipFamilies").size() == 0) {
                    spec.putArray("ipFamilies").add("IPv4");
                }
                if (!spec.hasNonNull("ipFamilyPolicy")) {
                    spec.put("ipFamilyPolicy", "SingleStack");
                }
            }
        }
        Set<Integer> oldPorts = new HashSet<>(nodePorts(oldSpec));
        Set<Integer> keep = new HashSet<>();
        boolean needsNodePorts = svcType.equals("NodePort") || svcType.equals("LoadBalancer");
        boolean allocateDynamic = svcType.equals("NodePort") || spec.path("allocateLoadBalancerNodePorts").asBoolean(true);
        JsonNode portList = spec.path("ports");
        for (int i = 0; i < portList.size() && needsNodePorts; i++) {
            if (!(portList.get(i) instanceof ObjectNode p)) {
                continue;
            }
            int np = p.path("nodePort").asInt(0);
            if (np != 0 && oldPorts.contains(np) && !keep.contains(np)) {
                keep.add(np);
                continue;
            }
            if (np != 0) {
                Optional<String> err = ports.allocate(np);
                if (err.isPresent()) {
                    errs.add(FieldError.invalid("spec.ports[" + i + "].nodePort", np, err.get()));
                } else {
                    tx.undo.add(() -> ports.release(np));
                    tx.claims.add(portKey(np));
                    keep.add(np);
                }
            } else if (allocateDynamic) {
                OptionalInt next = ports.allocateNext();
                if (next.isEmpty()) {
                    errs.add(FieldError.invalid("spec.ports[" + i + "].nodePort", 0, "range is full"));
                } else {
                    tx.undo.add(() -> ports.release(next.getAsInt()));
                    tx.claims.add(portKey(next.getAsInt()));
                    p.put("nodePort", next.getAsInt());
                    keep.add(next.getAsInt());
                }
            }
        }
        for (int np : oldPorts) {
            if (!keep.contains(np)) {
                tx.onCommit.add(() -> ports.release(np));
                tx.releases.add(portKey(np));
            }
        }
        if (!errs.isEmpty()) {
            tx.rollback();
            throw ApiException.invalid(type, name, errs);
        }
        return tx;
    }

    private static List<Integer> nodePorts(JsonNode spec) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            int np = p.path("nodePort").asInt(0);
            if (np != 0) {
                out.add(np);
            }
        }
        int hc = spec.path("healthCheckNodePort").asInt(0);
        if (hc != 0) {
            out.add(hc);
        }
        return out;
    }

}
