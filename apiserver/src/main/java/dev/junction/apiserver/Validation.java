package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validation of stored objects with upstream field paths and messages, after
 * {@code pkg/apis/core/validation/validation.go} (ValidateService, validateServicePort,
 * ValidatePodSpec) and {@code k8s.io/apimachinery/pkg/util/validation/validation.go} (DNS-1123 /
 * DNS-1035 names). Returns a list of field errors; an empty list means valid.
 */
public final class Validation {
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern IANA_SVC_NAME = Pattern.compile("[-a-z0-9]+");
    static final String DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters"
            + " or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used"
            + " for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
            + " characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex"
            + " used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    static final String DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-',"
            + " start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or"
            + " 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    private static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");

    private Validation() {
    }

    /** Validates an object of the given type (metadata and, where implemented, spec). */
    public static List<FieldError> validate(ResourceType type, ObjectNode object) {
        List<FieldError> errs = new ArrayList<>();
        metadataName(type, object, errs);
        if (type == Resources.SERVICES) {
            service(object, errs);
        } else if (type == Resources.PODS) {
            podSpec(object.path("spec"), "spec", errs);
        } else if (type == Resources.DEPLOYMENTS || type == Resources.REPLICASETS) {
            workload(object, errs);
        } else if (type == Resources.ENDPOINTSLICES) {
            endpointSlice(object, errs);
        }
        return errs;
    }

    /** Whether {@code s} is a DNS-1123 label (at most 63 characters). */
    public static boolean isDns1123Label(String s) {
        return s.length() <= 63 && DNS1123_LABEL.matcher(s).matches();
    }

    private static void metadataName(ResourceType type, ObjectNode object, List<FieldError> errs) {
        String name = object.path("metadata").path("name").asText("");
        if (name.isEmpty()) {
            errs.add(FieldError.required("metadata.name", "name or generateName is required"));
            return;
        }
        if (type == Resources.SERVICES) {
            if (name.length() > 63 || !DNS1035_LABEL.matcher(name).matches()) {
                errs.add(FieldError.invalid("metadata.name", name, name.length() > 63
                        ? "must be no more than 63 characters" : DNS1035_LABEL_MSG));
            }
        } else if (type == Resources.NAMESPACES) {
            if (!isDns1123Label(name)) {
                errs.add(FieldError.invalid("metadata.name", name, name.length() > 63
                        ? "must be no more than 63 characters" : DNS1123_LABEL_MSG));
            }
        } else if (type == Resources.EVENTS) {
            if (name.contains("/") || name.equals(".") || name.equals("..")) {
                errs.add(FieldError.invalid("metadata.name", name, "may not contain '/'"));
            }
        } else if (name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches()) {
            errs.add(FieldError.invalid("metadata.name", name, name.length() > 253
                    ? "must be no more than 253 characters" : DNS1123_SUBDOMAIN_MSG));
        }
    }

    private static void service(ObjectNode svc, List<FieldError> errs) {
        JsonNode spec = svc.path("spec");
        String type = spec.path("type").asText("ClusterIP");
        List<String> types = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
        if (!types.contains(type)) {
            errs.add(FieldError.notSupported("spec.type", type, types));
        }
        String clusterIp = spec.path("clusterIP").asText("");
        boolean headless = clusterIp.equals("None");
        JsonNode ports = spec.path("ports");
        if (type.equals("ExternalName")) {
            String ext = spec.path("externalName").asText("");
            if (ext.isEmpty()) {
                errs.add(FieldError.required("spec.externalName", ""));
            } else if (!DNS1123_SUBDOMAIN.matcher(ext.endsWith(".") ? ext.substring(0, ext.length() - 1) : ext).matches()) {
                errs.add(FieldError.invalid("spec.externalName", ext, DNS1123_SUBDOMAIN_MSG));
            }
        } else if (!headless && ports.size() == 0) {
            errs.add(FieldError.required("spec.ports", ""));
        }
        if (headless && (type.equals("NodePort") || type.equals("LoadBalancer"))) {
            errs.add(FieldError.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for " + type + " services"));
        }
        if (!clusterIp.isEmpty() && !headless && !isIpv4(clusterIp)) {
            errs.add(FieldError.invalid("spec.clusterIPs[0]", clusterIp, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
        }
        JsonNode clusterIps = spec.path("clusterIPs");
        if (clusterIps.size() > 0 && !clusterIp.isEmpty() && !clusterIps.get(0).asText().equals(clusterIp)) {
            errs.add(FieldError.invalid("spec.clusterIPs", clusterIps.toString(), "must be consistent with spec.clusterIP"));
        }
        boolean requireName = ports.size() > 1;
        Set<String> names = new HashSet<>();
        Set<String> portProtocols = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.get(i);
            String path = "spec.ports[" + i + "]";
            String name = p.path("name").asText("");
            if (requireName && name.isEmpty()) {
                errs.add(FieldError.required(path + ".name", ""));
            } else if (!name.isEmpty()) {
                if (!isDns1123Label(name)) {
                    errs.add(FieldError.invalid(path + ".name", name, name.length() > 63
                            ? "must be no more than 63 characters" : DNS1123_LABEL_MSG));
                }
                if (!names.add(name)) {
                    errs.add(FieldError.duplicate(path + ".name", name));
                }
            }
            int port = p.path("port").asInt(0);
            if (!p.path("port").isIntegralNumber() || port < 1 || port > 65535) {
                errs.add(FieldError.invalid(path + ".port", port, "must be between 1 and 65535, inclusive"));
            }
            String protocol = p.path("protocol").asText("TCP");
            if (!PROTOCOLS.contains(protocol)) {
                errs.add(FieldError.notSupported(path + ".protocol", protocol, PROTOCOLS));
            }
            JsonNode tp = p.path("targetPort");
            if (tp.isIntegralNumber()) {
                if (tp.asInt() < 1 || tp.asInt() > 65535) {
                    errs.add(FieldError.invalid(path + ".targetPort", tp.asInt(), "must be between 1 and 65535, inclusive"));
                }
            } else if (tp.isTextual()) {
                ianaSvcName(tp.asText(), path + ".targetPort", errs);
            }
            if (p.has("nodePort") && !p.get("nodePort").isNull() && p.get("nodePort").asInt() != 0) {
                int np = p.get("nodePort").asInt();
                if (type.equals("ClusterIP") || type.equals("ExternalName")) {
                    errs.add(FieldError.forbidden(path + ".nodePort", "may not be used when `type` is '" + type + "'"));
                } else if (np < 1 || np > 65535) {
                    errs.add(FieldError.invalid(path + ".nodePort", np, "must be between 1 and 65535, inclusive"));
                }
            }
            if (!portProtocols.add(port + "/" + protocol)) {
                errs.add(FieldError.duplicate(path, "{Port:" + port + ", Protocol:" + protocol + "}"));
            }
        }
        String affinity = spec.path("sessionAffinity").asText("None");
        if (!affinity.equals("None") && !affinity.equals("ClientIP")) {
            errs.add(FieldError.notSupported("spec.sessionAffinity", affinity, List.of("ClientIP", "None")));
        }
        for (String policy : new String[] {"externalTrafficPolicy", "internalTrafficPolicy"}) {
            String v = spec.path(policy).asText("");
            if (!v.isEmpty() && !v.equals("Cluster") && !v.equals("Local")) {
                errs.add(FieldError.notSupported("spec." + policy, v, List.of("Cluster", "Local")));
            }
        }
    }

    /** After upstream {@code pkg/apis/discovery/validation/validation.go} (the parts controllers get wrong). */
    private static void endpointSlice(ObjectNode slice, List<FieldError> errs) {
        String addressType = slice.path("addressType").asText("");
        List<String> types = List.of("FQDN", "IPv4", "IPv6");
        if (addressType.isEmpty()) {
            errs.add(FieldError.required("addressType", ""));
        } else if (!types.contains(addressType)) {
            errs.add(FieldError.notSupported("addressType", addressType, types));
        }
        JsonNode endpoints = slice.path("endpoints");
        for (int i = 0; i < endpoints.size(); i++) {
            JsonNode addresses = endpoints.get(i).path("addresses");
            String path = "endpoints[" + i + "].addresses";
            if (addresses.size() == 0) {
                errs.add(FieldError.required(path, "must contain at least 1 address"));
            } else if (addresses.size() > 100) {
                errs.add(new FieldError("FieldValueTooMany", path, "Too many: " + addresses.size() + ": must have at most 100 items"));
            }
            for (int j = 0; j < addresses.size(); j++) {
                String a = addresses.get(j).asText("");
                if (addressType.equals("IPv4") && !isIpv4(a)) {
                    errs.add(FieldError.invalid(path + "[" + j + "]", a, "must be a valid IPv4 address"));
                }
            }
        }
        JsonNode ports = slice.path("ports");
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.get(i);
            if (p.has("port") && !p.get("port").isNull() && (p.get("port").asInt() < 1 || p.get("port").asInt() > 65535)) {
                errs.add(FieldError.invalid("ports[" + i + "].port", p.get("port").asInt(), "must be between 1 and 65535, inclusive"));
            }
            String protocol = p.path("protocol").asText("TCP");
            if (!PROTOCOLS.contains(protocol)) {
                errs.add(FieldError.notSupported("ports[" + i + "].protocol", protocol, PROTOCOLS));
            }
        }
    }

    private static void ianaSvcName(String name, String path, List<FieldError> errs) {
        if (name.length() > 15) {
            errs.add(FieldError.invalid(path, name, "must be no more than 15 characters"));
        } else if (!IANA_SVC_NAME.matcher(name).matches()) {
            errs.add(FieldError.invalid(path, name, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"));
        } else if (name.contains("--")) {
            errs.add(FieldError.invalid(path, name, "must not contain consecutive hyphens"));
        } else if (!name.matches(".*[a-z].*")) {
            errs.add(FieldError.invalid(path, name, "must contain at least one letter (a-z)"));
        } else if (name.startsWith("-") || name.endsWith("-")) {
            errs.add(FieldError.invalid(path, name, "must not begin or end with a hyphen"));
        }
    }

    private static void podSpec(JsonNode spec, String path, List<FieldError> errs) {
        JsonNode containers = spec.path("containers");
        if (containers.size() == 0) {
            errs.add(FieldError.required(path + ".containers", ""));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            String cp = path + ".containers[" + i + "]";
            String name = c.path("name").asText("");
            if (name.isEmpty()) {
                errs.add(FieldError.required(cp + ".name", ""));
            } else if (!isDns1123Label(name)) {
                errs.add(FieldError.invalid(cp + ".name", name, DNS1123_LABEL_MSG));
            } else if (!names.add(name)) {
                errs.add(FieldError.duplicate(cp + ".name", name));
            }
            if (c.path("image").asText("").isEmpty()) {
                errs.add(FieldError.required(cp + ".image", ""));
            }
            JsonNode ports = c.path("ports");
            for (int j = 0; j < ports.size(); j++) {
                JsonNode p = ports.get(j);
                int port = p.path("containerPort").asInt(0);
                if (port < 1 || port > 65535) {
                    errs.add(FieldError.invalid(cp + ".ports[" + j + "].containerPort", port,
                            "must be between 1 and 65535, inclusive"));
                }
                String protocol = p.path("protocol").asText("TCP");
                if (!PROTOCOLS.contains(protocol)) {
                    errs.add(FieldError.notSupported(cp + ".ports[" + j + "].protocol", protocol, PROTOCOLS));
                }
            }
        }
        String restart = spec.path("restartPolicy").asText("Always");
        if (!List.of("Always", "OnFailure", "Never").contains(restart)) {
            errs.add(FieldError.notSupported(path + ".restartPolicy", restart, List.of("Always", "Never", "OnFailure")));
        }
    }

    private static void workload(ObjectNode object, List<FieldError> errs) {
        JsonNode spec = object.path("spec");
        JsonNode selector = spec.path("selector");
        if (selector.isMissingNode() || selector.isNull()
                || selector.path("matchLabels").size() == 0 && selector.path("matchExpressions").size() == 0) {
            errs.add(FieldError.required("spec.selector", ""));
        } else {
            JsonNode labels = spec.path("template").path("metadata").path("labels");
            var it = selector.path("matchLabels").properties().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (!labels.path(e.getKey()).asText("\u0000").equals(e.getValue().asText())) {
                    errs.add(FieldError.invalid("spec.template.metadata.labels", labels.toString(),
                            "`selector` does not match template `labels`"));
                    break;
                }
            }
        }
        if (spec.path("replicas").asInt(0) < 0) {
            errs.add(FieldError.invalid("spec.replicas", spec.path("replicas").asInt(), "must be greater than or equal to 0"));
        }
        podSpec(spec.path("template").path("spec"), "spec.template.spec", errs);
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
