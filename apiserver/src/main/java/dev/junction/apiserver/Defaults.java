package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Defaulting applied on create and update, following upstream {@code pkg/apis/core/v1/defaults.go}
 * (Service, Pod, PodSpec, Container) and {@code pkg/apis/apps/v1/defaults.go} (Deployment,
 * ReplicaSet). Only fields a Kubernetes client would observe are defaulted. Mutates the given object.
 */
public final class Defaults {
    private Defaults() {
    }

    /** Applies the defaults for the object's type. */
    public static void apply(ResourceType type, ObjectNode object) {
        if (type == Resources.SERVICES) {
            service(object);
        } else if (type == Resources.PODS) {
            podSpec(Json.obj(object, "spec"));
        } else if (type == Resources.DEPLOYMENTS) {
            deployment(object);
        } else if (type == Resources.REPLICASETS) {
            ObjectNode spec = Json.obj(object, "spec");
            putIfAbsent(spec, "replicas", 1);
            podTemplate(spec);
        } else if (type == Resources.NAMESPACES) {
            ObjectNode spec = Json.obj(object, "spec");
            if (!spec.has("finalizers")) {
                spec.putArray("finalizers").add("kubernetes");
            }
        } else if (type == Resources.SECRETS) {
            if (!object.has("type")) {
                object.put("type", "Opaque");
            }
            // stringData is write-only: merged into data (base64) as the v1 conversion does
            JsonNode stringData = object.remove("stringData");
            if (stringData != null && stringData.isObject()) {
                ObjectNode data = Json.obj(object, "data");
                stringData.properties().forEach(e -> data.put(e.getKey(), java.util.Base64.getEncoder()
                        .encodeToString(e.getValue().asText().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            }
        } else if (type == Resources.ENDPOINTSLICES) {
            for (JsonNode p : object.path("ports")) {
                if (p instanceof ObjectNode o && !o.has("protocol")) {
                    o.put("protocol", "TCP");
                }
            }
        } else if (type == Resources.ENDPOINTS) {
            for (JsonNode subset : object.path("subsets")) {
                for (JsonNode p : subset.path("ports")) {
                    if (p instanceof ObjectNode o && !o.has("protocol")) {
                        o.put("protocol", "TCP");
                    }
                }
            }
        }
    }

    /**
     * Service defaults (SetDefaults_Service): type ClusterIP, sessionAffinity None, ports[].protocol
     * TCP, ports[].targetPort = port, internalTrafficPolicy Cluster (not ExternalName),
     * externalTrafficPolicy Cluster for externally accessible Services (NodePort, LoadBalancer, externalIPs), allocateLoadBalancerNodePorts true for
     * LoadBalancer. IP families are set by {@link ServiceAllocations} together with the ClusterIP.
     */
    static void service(ObjectNode svc) {
        ObjectNode spec = Json.obj(svc, "spec");
        putIfAbsent(spec, "type", "ClusterIP");
        putIfAbsent(spec, "sessionAffinity", "None");
        String type = spec.path("type").asText();
        normalizeClusterIps(spec);
        for (JsonNode p : spec.path("ports")) {
            if (p instanceof ObjectNode o) {
                putIfAbsent(o, "protocol", "TCP");
                if (!o.has("targetPort") || o.get("targetPort").isNull()
                        || o.get("targetPort").isIntegralNumber() && o.get("targetPort").asInt() == 0
                        || o.get("targetPort").isTextual() && o.get("targetPort").asText().isEmpty()) {
                    o.set("targetPort", o.path("port").deepCopy());
                }
            }
        }
        if (!type.equals("ExternalName")) {
            putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")
                || type.equals("ClusterIP") && spec.path("externalIPs").size() > 0) {
            putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
        }
        if (type.equals("LoadBalancer")) {
            if (!spec.has("allocateLoadBalancerNodePorts")) {
                spec.put("allocateLoadBalancerNodePorts", true);
            }
        }
        if (spec.path("sessionAffinity").asText().equals("ClientIP") && !spec.has("sessionAffinityConfig")) {
            spec.putObject("sessionAffinityConfig").putObject("clientIP").put("timeoutSeconds", 10800);
        }
    }

    /**
     * Keeps {@code clusterIP} and {@code clusterIPs[0]} in step when a client set only one of them,
     * as the upstream service strategy's normalizeClusterIPs does on create.
     */
    static void normalizeClusterIps(ObjectNode spec) {
        String ip = spec.path("clusterIP").asText("");
        JsonNode ips = spec.path("clusterIPs");
        if (!ip.isEmpty() && ips.size() == 0) {
            spec.putArray("clusterIPs").add(ip);
        } else if (ip.isEmpty() && ips.size() > 0) {
            spec.put("clusterIP", ips.get(0).asText());
        }
    }

    /** Deployment defaults: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600. */
    static void deployment(ObjectNode d) {
        ObjectNode spec = Json.obj(d, "spec");
        putIfAbsent(spec, "replicas", 1);
        ObjectNode strategy = Json.obj(spec, "strategy");
        putIfAbsent(strategy, "type", "RollingUpdate");
        if (strategy.path("type").asText().equals("RollingUpdate")) {
            ObjectNode ru = Json.obj(strategy, "rollingUpdate");
            putIfAbsent(ru, "maxUnavailable", "25%");
            putIfAbsent(ru, "maxSurge", "25%");
        }
        putIfAbsent(spec, "revisionHistoryLimit", 10);
        putIfAbsent(spec, "progressDeadlineSeconds", 600);
        podTemplate(spec);
    }

    /**
     * PodSpec defaults: restartPolicy Always, dnsPolicy ClusterFirst, terminationGracePeriodSeconds
     * 30, schedulerName default-scheduler, enableServiceLinks true, securityContext {}, and per
     * container terminationMessagePath/Policy, imagePullPolicy and ports[].protocol TCP.
     */
    static void podSpec(ObjectNode spec) {
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "terminationGracePeriodSeconds", 30);
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
        if (!spec.has("securityContext")) {
            spec.putObject("securityContext");
        }
        if (spec.has("serviceAccountName") && !spec.has("serviceAccount")) {
            spec.put("serviceAccount", spec.path("serviceAccountName").asText());
        }
        for (String list : new String[] {"initContainers", "containers"}) {
            for (JsonNode c : spec.path(list)) {
                if (c instanceof ObjectNode o) {
                    container(o);
                }
            }
        }
    }

    private static void container(ObjectNode c) {
        putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(c, "terminationMessagePolicy", "File");
        String image = c.path("image").asText();
        String tag = image.contains("@") ? "digest" : image.lastIndexOf(':') > image.lastIndexOf('/')
                ? image.substring(image.lastIndexOf(':') + 1) : "latest";
        putIfAbsent(c, "imagePullPolicy", tag.equals("latest") ? "Always" : "IfNotPresent");
        if (!c.has("resources")) {
            c.putObject("resources");
        }
        for (JsonNode p : c.path("ports")) {
            if (p instanceof ObjectNode o) {
                putIfAbsent(o, "protocol", "TCP");
            }
        }
    }

    private static void podTemplate(ObjectNode spec) {
        JsonNode template = spec.path("template");
        if (template instanceof ObjectNode t) {
            podSpec(Json.obj(t, "spec"));
        }
    }

    private static void putIfAbsent(ObjectNode o, String field, String value) {
        if (!o.hasNonNull(field) || o.get(field).asText().isEmpty()) {
            o.put(field, value);
        }
    }

    private static void putIfAbsent(ObjectNode o, String field, int value) {
        if (!o.hasNonNull(field)) {
            o.put(field, value);
        }
    }
}
