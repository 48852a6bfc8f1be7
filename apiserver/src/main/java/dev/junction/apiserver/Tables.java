package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Server-side printing: converts objects to a {@code meta.k8s.io/v1 Table}, as kube-apiserver does
 * for {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}, with the columns of upstream
 * {@code pkg/printers/internalversion/printers.go} (priority 1 columns appear with {@code -o wide}).
 */
public final class Tables {
    private record Column(String name, String type, String format, int priority, Function<JsonNode, Object> cell) {
    }

    private Tables() {
    }

    /**
     * Builds a Table from objects.
     *
     * @param includeObject {@code None}, {@code Object} or {@code Metadata} (the default), as the
     *                      {@code includeObject} query parameter
     */
    public static ObjectNode table(ResourceType type, List<? extends JsonNode> objects, String resourceVersion,
            String includeObject) {
        List<Column> cols = columns(type);
        ObjectNode t = Json.MAPPER.createObjectNode();
        t.put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
        t.putObject("metadata").put("resourceVersion", resourceVersion);
        ArrayNode defs = t.putArray("columnDefinitions");
        for (Column c : cols) {
            defs.addObject().put("name", c.name).put("type", c.type).put("format", c.format)
                    .put("description", c.name).put("priority", c.priority);
        }
        ArrayNode rows = t.putArray("rows");
        for (JsonNode o : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Column c : cols) {
                Object v = c.cell.apply(o);
                if (v instanceof Integer i) {
                    cells.add(i);
                } else {
                    cells.add(String.valueOf(v));
                }
            }
            if ("Object".equals(includeObject)) {
                row.set("object", o);
            } else if (!"None".equals(includeObject)) {
                ObjectNode partial = row.putObject("object");
                partial.put("kind", "PartialObjectMetadata").put("apiVersion", "meta.k8s.io/v1");
                partial.set("metadata", o.path("metadata"));
            }
        }
        return t;
    }

    private static List<Column> columns(ResourceType type) {
        List<Column> c = new ArrayList<>();
        c.add(new Column("Name", "string", "name", 0, o -> o.path("metadata").path("name").asText()));
        if (type == Resources.SERVICES) {
            c.add(col("Type", o -> o.path("spec").path("type").asText("ClusterIP")));
            c.add(col("Cluster-IP", o -> orNone(o.path("spec").path("clusterIP").asText(""))));
            c.add(col("External-IP", Tables::externalIp));
            c.add(col("Port(s)", Tables::servicePorts));
            c.add(age());
            c.add(wide("Selector", o -> selector(o.path("spec").path("selector"))));
        } else if (type == Resources.PODS) {
            c.add(col("Ready", o -> readyContainers(o) + "/" + o.path("spec").path("containers").size()));
            c.add(col("Status", Tables::podStatus));
            c.add(new Column("Restarts", "integer", "", 0, Tables::restarts));
            c.add(age());
            c.add(wide("IP", o -> orNone(o.path("status").path("podIP").asText(""))));
            c.add(wide("Node", o -> orNone(o.path("spec").path("nodeName").asText(""))));
            c.add(wide("Nominated Node", o -> orNone(o.path("status").path("nominatedNodeName").asText(""))));
            c.add(wide("Readiness Gates", o -> "<none>"));
        } else if (type == Resources.ENDPOINTS) {
            c.add(col("Endpoints", Tables::endpoints));
            c.add(age());
        } else if (type == Resources.ENDPOINTSLICES) {
            c.add(col("AddressType", o -> o.path("addressType").asText()));
            c.add(col("Ports", Tables::slicePorts));
            c.add(col("Endpoints", Tables::sliceEndpoints));
            c.add(age());
        } else if (type == Resources.NODES) {
            c.add(col("Status", Tables::nodeStatus));
            c.add(col("Roles", Tables::nodeRoles));
            c.add(age());
            c.add(col("Version", o -> o.path("status").path("nodeInfo").path("kubeletVersion").asText("")));
            c.add(wide("Internal-IP", o -> nodeAddress(o, "InternalIP")));
            c.add(wide("External-IP", o -> nodeAddress(o, "ExternalIP")));
            c.add(wide("OS-Image", o -> orUnknown(o.path("status").path("nodeInfo").path("osImage").asText(""))));
            c.add(wide("Kernel-Version", o -> orUnknown(o.path("status").path("nodeInfo").path("kernelVersion").asText(""))));
            c.add(wide("Container-Runtime", o -> orUnknown(
                    o.path("status").path("nodeInfo").path("containerRuntimeVersion").asText(""))));
        } else if (type == Resources.DEPLOYMENTS) {
            c.add(col("Ready", o -> o.path("status").path("readyReplicas").asInt(0) + "/" + o.path("spec").path("replicas").asInt(0)));
            c.add(new Column("Up-to-date", "integer", "", 0, o -> o.path("status").path("updatedReplicas").asInt(0)));
            c.add(new Column("Available", "integer", "", 0, o -> o.path("status").path("availableReplicas").asInt(0)));
            c.add(age());
            workloadWide(c);
        } else if (type == Resources.REPLICASETS) {
            c.add(new Column("Desired", "integer", "", 0, o -> o.path("spec").path("replicas").asInt(0)));
            c.add(new Column("Current", "integer", "", 0, o -> o.path("status").path("replicas").asInt(0)));
            c.add(new Column("Ready", "integer", "", 0, o -> o.path("status").path("readyReplicas").asInt(0)));
            c.add(age());
            workloadWide(c);
        } else if (type == Resources.NAMESPACES) {
            c.add(col("Status", o -> o.path("status").path("phase").asText("Active")));
            c.add(age());
        } else if (type == Resources.INGRESSES) {
            c.add(col("Class", o -> orNone(o.path("spec").path("ingressClassName").asText(""))));
            c.add(col("Hosts", Tables::ingressHosts));
            c.add(col("Address", o -> joinAddresses(o.path("status").path("loadBalancer").path("ingress"))));
            c.add(col("Ports", o -> o.path("spec").path("tls").size() > 0 ? "80, 443" : "80"));
            c.add(age());
        } else if (type == Resources.CONFIGMAPS) {
            c.add(new Column("Data", "integer", "", 0, o -> o.path("data").size() + o.path("binaryData").size()));
            c.add(age());
        } else if (type == Resources.SECRETS) {
            c.add(col("Type", o -> o.path("type").asText("Opaque")));
            c.add(new Column("Data", "integer", "", 0, o -> o.path("data").size()));
            c.add(age());
        } else {
            c.add(age());
        }
        return c;
    }

    private static void workloadWide(List<Column> c) {
        c.add(wide("Containers", o -> join(o.path("spec").path("template").path("spec").path("containers"), "name")));
        c.add(wide("Images", o -> join(o.path("spec").path("template").path("spec").path("containers"), "image")));
        c.add(wide("Selector", o -> selector(o.path("spec").path("selector").path("matchLabels"))));
    }

    private static Column col(String name, Function<JsonNode, Object> f) {
        return new Column(name, "string", "", 0, f);
    }

    private static Column wide(String name, Function<JsonNode, Object> f) {
        return new Column(name, "string", "", 1, f);
    }

    private static Column age() {
        return new Column("Age", "string", "", 0, o -> age(o.path("metadata").path("creationTimestamp").asText("")));
    }

    /** Upstream {@code duration.HumanDuration}: 45s, 5m10s, 17m, 3h5m, 30h, 4d2h, 12d, 3y. */
    static String age(String timestamp) {
        if (timestamp.isEmpty()) {
            return "<unknown>";
        }
        long s = Math.max(0, Duration.between(Instant.parse(timestamp), Instant.now()).getSeconds());
        if (s < 120) {
            return s + "s";
        }
        long m = s / 60;
        if (m < 10) {
            return m + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        if (m < 180) {
            return m + "m";
        }
        long h = m / 60;
        if (h < 8) {
            return h + "h" + (m % 60 == 0 ? "" : (m % 60) + "m");
        }
        if (h < 48) {
            return h + "h";
        }
        if (h < 192) {
            return h / 24 + "d" + (h % 24 == 0 ? "" : (h % 24) + "h");
        }
        if (h < 24 * 365 * 2) {
            return h / 24 + "d";
        }
        return h / 24 / 365 + "y";
    }

    private static String orNone(String s) {
        return s.isEmpty() ? "<none>" : s;
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? "<unknown>" : s;
    }

    private static String externalIp(JsonNode svc) {
        JsonNode spec = svc.path("spec");
        List<String> ips = new ArrayList<>();
        spec.path("externalIPs").forEach(n -> ips.add(n.asText()));
        switch (spec.path("type").asText("ClusterIP")) {
            case "ExternalName" -> {
                return spec.path("externalName").asText();
            }
            case "LoadBalancer" -> {
                svc.path("status").path("loadBalancer").path("ingress").forEach(i ->
                        ips.add(i.has("ip") ? i.path("ip").asText() : i.path("hostname").asText()));
                return ips.isEmpty() ? "<pending>" : String.join(",", ips);
            }
            default -> {
                return ips.isEmpty() ? "<none>" : String.join(",", ips);
            }
        }
    }

    private static String servicePorts(JsonNode svc) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : svc.path("spec").path("ports")) {
            String np = p.path("nodePort").asInt(0) != 0 ? ":" + p.path("nodePort").asInt() : "";
            out.add(p.path("port").asInt() + np + "/" + p.path("protocol").asText("TCP"));
        }
        return out.isEmpty() ? "<none>" : String.join(",", out);
    }

    private static String selector(JsonNode labels) {
        List<String> out = new ArrayList<>();
        labels.properties().forEach(e -> out.add(e.getKey() + "=" + e.getValue().asText()));
        return out.isEmpty() ? "<none>" : String.join(",", out);
    }

    private static int readyContainers(JsonNode pod) {
        int n = 0;
        for (JsonNode s : pod.path("status").path("containerStatuses")) {
            if (s.path("ready").asBoolean(false)) {
                n++;
            }
        }
        return n;
    }

    private static int restarts(JsonNode pod) {
        int n = 0;
        for (JsonNode s : pod.path("status").path("containerStatuses")) {
            n += s.path("restartCount").asInt(0);
        }
        return n;
    }

    private static String podStatus(JsonNode pod) {
        if (pod.path("metadata").has("deletionTimestamp")) {
            return "Terminating";
        }
        String reason = pod.path("status").path("reason").asText("");
        for (JsonNode s : pod.path("status").path("containerStatuses")) {
            String waiting = s.path("state").path("waiting").path("reason").asText("");
            if (!waiting.isEmpty()) {
                reason = waiting;
            }
            String terminated = s.path("state").path("terminated").path("reason").asText("");
            if (!terminated.isEmpty() && reason.isEmpty()) {
                reason = terminated;
            }
        }
        return reason.isEmpty() ? pod.path("status").path("phase").asText("Pending") : reason;
    }

    private static String endpoints(JsonNode ep) {
        List<String> out = new ArrayList<>();
        for (JsonNode subset : ep.path("subsets")) {
            for (JsonNode a : subset.path("addresses")) {
                if (subset.path("ports").size() == 0) {
                    out.add(a.path("ip").asText());
                }
                for (JsonNode p : subset.path("ports")) {
                    out.add(a.path("ip").asText() + ":" + p.path("port").asInt());
                }
            }
        }
        return abbreviate(out);
    }

    private static String slicePorts(JsonNode slice) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : slice.path("ports")) {
            out.add(p.has("port") ? String.valueOf(p.path("port").asInt()) : "<unset>");
        }
        return out.isEmpty() ? "<unset>" : String.join(",", out);
    }

    private static String sliceEndpoints(JsonNode slice) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : slice.path("endpoints")) {
            e.path("addresses").forEach(a -> out.add(a.asText()));
        }
        return abbreviate(out);
    }

    private static String abbreviate(List<String> items) {
        if (items.isEmpty()) {
            return "<none>";
        }
        if (items.size() <= 3) {
            return String.join(",", items);
        }
        return String.join(",", items.subList(0, 3)) + " + " + (items.size() - 3) + " more...";
    }

    private static String nodeStatus(JsonNode node) {
        String status = "Unknown";
        for (JsonNode c : node.path("status").path("conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                status = c.path("status").asText().equals("True") ? "Ready" : "NotReady";
            }
        }
        if (node.path("spec").path("unschedulable").asBoolean(false)) {
            status += ",SchedulingDisabled";
        }
        return status;
    }

    private static String nodeRoles(JsonNode node) {
        List<String> roles = new ArrayList<>();
        node.path("metadata").path("labels").properties().forEach(e -> {
            if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                roles.add(e.getKey().substring("node-role.kubernetes.io/".length()));
            }
        });
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    private static String nodeAddress(JsonNode node, String type) {
        for (JsonNode a : node.path("status").path("addresses")) {
            if (a.path("type").asText().equals(type)) {
                return a.path("address").asText();
            }
        }
        return "<none>";
    }

    private static String ingressHosts(JsonNode ing) {
        List<String> hosts = new ArrayList<>();
        for (JsonNode r : ing.path("spec").path("rules")) {
            hosts.add(r.path("host").asText("*").isEmpty() ? "*" : r.path("host").asText("*"));
        }
        return hosts.isEmpty() ? "*" : String.join(",", hosts);
    }

    private static String joinAddresses(JsonNode ingress) {
        List<String> out = new ArrayList<>();
        ingress.forEach(i -> out.add(i.has("ip") ? i.path("ip").asText() : i.path("hostname").asText()));
        return String.join(",", out);
    }

    private static String join(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.path(field).asText()));
        return String.join(",", out);
    }
}
