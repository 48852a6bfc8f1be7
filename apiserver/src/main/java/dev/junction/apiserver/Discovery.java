package dev.junction.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Legacy (unaggregated) discovery documents as kube-apiserver serves them: {@code /api}
 * (APIVersions), {@code /apis} (APIGroupList), {@code /apis/<group>} (APIGroup) and
 * {@code /api/v1}, {@code /apis/<group>/<version>} (APIResourceList), plus {@code /version}
 * (upstream {@code k8s.io/apiserver/pkg/endpoints/discovery}). Aggregated discovery is not served;
 * kubectl falls back to these documents.
 */
public final class Discovery {
    /** The Kubernetes version this server reports and follows. */
    public static final String GIT_VERSION = "v1.33.0";

    private static final List<String> VERBS = List.of("create", "delete", "get", "list", "patch", "update", "watch");
    private static final List<String> SUB_VERBS = List.of("get", "patch", "update");
    private static final List<String> IN_ALL = List.of("pods", "services", "deployments", "replicasets");

    private Discovery() {
    }

    /** {@code GET /api}. */
    public static ObjectNode apiVersions(String serverAddress) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("kind", "APIVersions");
        o.putArray("versions").add("v1");
        o.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0").put("serverAddress", serverAddress);
        return o;
    }

    /** {@code GET /apis}. */
    public static ObjectNode groupList() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("kind", "APIGroupList").put("apiVersion", "v1");
        ArrayNode groups = o.putArray("groups");
        for (String gv : Resources.groupVersions()) {
            groups.add(group(gv.substring(0, gv.indexOf('/'))).orElseThrow());
        }
        return o;
    }

    /** {@code GET /apis/<group>}, empty for unknown groups. */
    public static Optional<ObjectNode> group(String name) {
        return Resources.groupVersions().stream().filter(gv -> gv.startsWith(name + "/")).findFirst().map(gv -> {
            ObjectNode g = Json.MAPPER.createObjectNode();
            g.put("kind", "APIGroup").put("apiVersion", "v1").put("name", name);
            ObjectNode v = Json.MAPPER.createObjectNode().put("groupVersion", gv).put("version", gv.substring(gv.indexOf('/') + 1));
            g.putArray("versions").add(v);
            g.set("preferredVersion", v.deepCopy());
            return g;
        });
    }

    /** {@code GET /api/v1} or {@code /apis/<group>/<version>}; empty for unknown group versions. */
    public static Optional<ObjectNode> resourceList(String groupVersion) {
        List<ResourceType> types = Resources.ALL.stream().filter(r -> r.apiVersion().equals(groupVersion)).toList();
        if (types.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("kind", "APIResourceList").put("apiVersion", "v1").put("groupVersion", groupVersion);
        ArrayNode res = o.putArray("resources");
        for (ResourceType t : types) {
            ObjectNode r = res.addObject();
            r.put("name", t.plural()).put("singularName", t.singular()).put("namespaced", t.namespaced()).put("kind", t.kind());
            ArrayNode verbs = r.putArray("verbs");
            VERBS.forEach(verbs::add);
            if (t.namespaced()) {
                verbs.insert(2, "deletecollection");
            }
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = r.putArray("shortNames");
                t.shortNames().forEach(sn::add);
            }
            if (IN_ALL.contains(t.plural())) {
                r.putArray("categories").add("all");
            }
            if (t.hasStatus()) {
                ObjectNode s = res.addObject();
                s.put("name", t.plural() + "/status").put("singularName", "").put("namespaced", t.namespaced()).put("kind", t.kind());
                ArrayNode sv = s.putArray("verbs");
                SUB_VERBS.forEach(sv::add);
            }
            if (t.hasScale()) {
                ObjectNode s = res.addObject();
                s.put("name", t.plural() + "/scale").put("singularName", "").put("namespaced", t.namespaced())
                        .put("group", "autoscaling").put("version", "v1").put("kind", "Scale");
                ArrayNode sv = s.putArray("verbs");
                SUB_VERBS.forEach(sv::add);
            }
        }
        return Optional.of(o);
    }

    /** {@code GET /version}. */
    public static ObjectNode version() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("major", "1").put("minor", "33").put("gitVersion", GIT_VERSION).put("gitCommit", "junction")
                .put("gitTreeState", "clean").put("buildDate", "2025-01-01T00:00:00Z").put("goVersion", "go1.24.0")
                .put("compiler", "gc").put("platform", "linux/amd64");
        return o;
    }
}
