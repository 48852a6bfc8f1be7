package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * networking.k8s.io/v1 validation after upstream {@code pkg/apis/networking/validation/validation.go}:
 * ValidateIngressCreate/Update (rules, hosts incl. wildcards, paths and pathType, backends, TLS
 * hosts, ingressClassName), ValidateIngressClass (controller, parameters) and ValidateNetworkPolicy
 * (podSelector, ports with endPort, peers, ipBlock, policyTypes).
 */
final class NetworkingValidation {
    private static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");
    static final int MAX_CONTROLLER_LENGTH = 250;

    private NetworkingValidation() {
    }

    /** ValidateIngress. */
    static void ingress(JsonNode ing, List<FieldError> errs) {
        MetadataValidation.objectMeta(ing.path("metadata"), Names::dns1123Subdomain, errs);
        JsonNode spec = ing.path("spec");
        JsonNode rules = spec.path("rules");
        boolean hasDefault = spec.path("defaultBackend").isObject();
        if (rules.size() == 0 && !hasDefault) {
            errs.add(FieldError.invalid("spec", rules.isMissingNode() ? Json.MAPPER.createArrayNode() : rules,
                    "either `defaultBackend` or `rules` must be specified"));
        }
        if (hasDefault) {
            backend(spec.path("defaultBackend"), "spec.defaultBackend", errs);
        }
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            String p = "spec.rules[" + i + "]";
            String host = r.path("host").asText("");
            if (!host.isEmpty()) {
                host(host, p + ".host", errs);
            }
            JsonNode http = r.path("http");
            if (http.isObject()) {
                JsonNode paths = http.path("paths");
                if (paths.size() == 0) {
                    errs.add(FieldError.required(p + ".http.paths", ""));
                }
                for (int j = 0; j < paths.size(); j++) {
                    path(paths.get(j), p + ".http.paths[" + j + "]", errs);
                }
            }
        }
        JsonNode tls = spec.path("tls");
        for (int i = 0; i < tls.size(); i++) {
            JsonNode hosts = tls.get(i).path("hosts");
            for (int j = 0; j < hosts.size(); j++) {
                String h = hosts.get(j).asText("");
                List<String> msgs = h.startsWith("*") ? Names.wildcardDns1123Subdomain(h) : Names.dns1123Subdomain(h);
                for (String m : msgs) {
                    errs.add(FieldError.invalid("spec.tls[" + i + "].hosts[" + j + "]", h, m));
                }
            }
        }
        if (spec.hasNonNull("ingressClassName")) {
            String cls = spec.path("ingressClassName").asText();
            for (String m : Names.dns1123Subdomain(cls)) {
                errs.add(FieldError.invalid("spec.ingressClassName", cls, m));
            }
        }
    }

    private static void host(String host, String path, List<FieldError> errs) {
        if (Names.isIp(host)) {
            errs.add(FieldError.invalid(path, host, "must be a DNS name, not an IP address"));
        }
        List<String> msgs = host.contains("*") ? Names.wildcardDns1123Subdomain(host) : Names.dns1123Subdomain(host);
        for (String m : msgs) {
            errs.add(FieldError.invalid(path, host, m));
        }
    }

    private static void path(JsonNode p, String path, List<FieldError> errs) {
        String pathType = p.path("pathType").asText("");
        String value = p.path("path").asText("");
        if (pathType.isEmpty()) {
            errs.add(FieldError.required(path + ".pathType", "pathType must be specified"));
        } else if (!PATH_TYPES.contains(pathType)) {
            errs.add(FieldError.notSupported(path + ".pathType", pathType, PATH_TYPES));
        } else if (pathType.equals("Exact") || pathType.equals("Prefix")) {
            if (!value.startsWith("/")) {
                errs.add(FieldError.invalid(path + ".path", value, "must be an absolute path"));
            } else {
                for (String bad : new String[] {"//", "/./", "/../", "%2f", "%2F"}) {
                    if (value.contains(bad)) {
                        errs.add(FieldError.invalid(path + ".path", value, "must not contain '" + bad + "'"));
                    }
                }
                for (String bad : new String[] {"/..", "/."}) {
                    if (value.endsWith(bad)) {
                        errs.add(FieldError.invalid(path + ".path", value, "cannot end with '" + bad + "'"));
                    }
                }
            }
        } else if (!value.isEmpty() && !value.startsWith("/")) {
            errs.add(FieldError.invalid(path + ".path", value, "must be an absolute path"));
        }
        backend(p.path("backend"), path + ".backend", errs);
    }

    private static void backend(JsonNode b, String path, List<FieldError> errs) {
        boolean hasService = b.path("service").isObject();
        boolean hasResource = b.path("resource").isObject();
        if (hasService && hasResource) {
            errs.add(FieldError.invalid(path, "", "cannot set both resource and service backends"));
        } else if (hasResource) {
            JsonNode r = b.path("resource");
            if (r.path("kind").asText("").isEmpty()) {
                errs.add(FieldError.required(path + ".resource.kind", ""));
            }
            if (r.path("name").asText("").isEmpty()) {
                errs.add(FieldError.required(path + ".resource.name", ""));
            }
        } else if (hasService) {
            JsonNode s = b.path("service");
            String name = s.path("name").asText("");
            if (name.isEmpty()) {
                errs.add(FieldError.required(path + ".service.name", ""));
            } else {
                for (String m : Names.dns1035Label(name)) {
                    errs.add(FieldError.invalid(path + ".service.name", name, m));
                }
            }
            JsonNode port = s.path("port");
            String portName = port.path("name").asText("");
            int number = port.path("number").asInt(0);
            if (!portName.isEmpty() && number != 0) {
                errs.add(FieldError.invalid(path + ".service.port", port, "cannot set both port name & port number"));
            } else if (!portName.isEmpty()) {
                for (String m : Names.portName(portName)) {
                    errs.add(FieldError.invalid(path + ".service.port.name", portName, m));
                }
            } else if (number != 0) {
                if (!Names.isPort(number)) {
                    errs.add(FieldError.invalid(path + ".service.port.number", number, Names.PORT_RANGE_MSG));
                }
            } else {
                errs.add(FieldError.required(path + ".service.port", "port name or number is required"));
            }
        } else {
            errs.add(FieldError.invalid(path, "", "resource or service backend is required"));
        }
    }

    /** ValidateIngressClass. */
    static void ingressClass(JsonNode ic, List<FieldError> errs) {
        MetadataValidation.objectMeta(ic.path("metadata"), Names::dns1123Subdomain, errs);
        JsonNode spec = ic.path("spec");
        String controller = spec.path("controller").asText("");
        if (controller.isEmpty()) {
            errs.add(FieldError.required("spec.controller", ""));
        } else {
            if (controller.length() > MAX_CONTROLLER_LENGTH) {
                errs.add(new FieldError("FieldValueTooLong", "spec.controller",
                        "Too long: may not be more than " + MAX_CONTROLLER_LENGTH + " bytes"));
            }
            int slash = controller.indexOf('/');
            if (slash <= 0 || !Names.dns1123Subdomain(controller.substring(0, slash)).isEmpty()) {
                errs.add(FieldError.invalid("spec.controller", controller,
                        "must be a domain-prefixed path (such as \"acme.io/foo\")"));
            }
        }
        JsonNode params = spec.path("parameters");
        if (params.isObject()) {
            String p = "spec.parameters";
            if (params.path("kind").asText("").isEmpty()) {
                errs.add(FieldError.required(p + ".kind", "kind is required"));
            }
            if (params.path("name").asText("").isEmpty()) {
                errs.add(FieldError.required(p + ".name", "name is required"));
            }
            String scope = params.path("scope").asText("");
            String ns = params.path("namespace").asText("");
            if (scope.isEmpty()) {
                errs.add(FieldError.required(p + ".scope", ""));
            } else if (!scope.equals("Cluster") && !scope.equals("Namespace")) {
                errs.add(FieldError.notSupported(p + ".scope", scope, List.of("Cluster", "Namespace")));
            } else if (scope.equals("Namespace") && ns.isEmpty()) {
                errs.add(FieldError.required(p + ".namespace", "`parameters.scope` is set to 'Namespace'"));
            } else if (scope.equals("Cluster") && !ns.isEmpty()) {
                errs.add(FieldError.forbidden(p + ".namespace", "`parameters.scope` is set to 'Cluster'"));
            }
        }
    }

    /** ValidateIngressClassUpdate: the controller is immutable. */
    static void ingressClassUpdate(JsonNode ic, JsonNode old, List<FieldError> errs) {
        String c = ic.path("spec").path("controller").asText("");
        if (!c.equals(old.path("spec").path("controller").asText(""))) {
            errs.add(FieldError.invalid("spec.controller", c, "field is immutable"));
        }
        ingressClass(ic, errs);
    }

    /** ValidateNetworkPolicy. */
    static void networkPolicy(JsonNode np, List<FieldError> errs) {
        MetadataValidation.objectMeta(np.path("metadata"), Names::dns1123Subdomain, errs);
        JsonNode spec = np.path("spec");
        MetadataValidation.labelSelector(spec.path("podSelector"), "spec.podSelector", errs);
        for (String dir : new String[] {"ingress", "egress"}) {
            JsonNode rules = spec.path(dir);
            String peers = dir.equals("ingress") ? "from" : "to";
            for (int i = 0; i < rules.size(); i++) {
                String p = "spec." + dir + "[" + i + "]";
                JsonNode ports = rules.get(i).path("ports");
                for (int j = 0; j < ports.size(); j++) {
                    policyPort(ports.get(j), p + ".ports[" + j + "]", errs);
                }
                JsonNode list = rules.get(i).path(peers);
                for (int j = 0; j < list.size(); j++) {
                    peer(list.get(j), p + "." + peers + "[" + j + "]", errs);
                }
            }
        }
        JsonNode types = spec.path("policyTypes");
        for (int i = 0; i < types.size(); i++) {
            String t = types.get(i).asText("");
            if (!t.equals("Ingress") && !t.equals("Egress")) {
                errs.add(FieldError.notSupported("spec.policyTypes[" + i + "]", t, List.of("Egress", "Ingress")));
            }
        }
        if (types.size() > 2) {
            errs.add(FieldError.invalid("spec.policyTypes", types, "may not specify more than two policyTypes"));
        }
    }

    private static void policyPort(JsonNode p, String path, List<FieldError> errs) {
        if (p.hasNonNull("protocol")) {
            String proto = p.path("protocol").asText();
            if (!PortValidation.PROTOCOLS.contains(proto)) {
                errs.add(FieldError.notSupported(path + ".protocol", proto, PortValidation.PROTOCOLS));
            }
        }
        JsonNode port = p.path("port");
        if (port.isIntegralNumber()) {
            if (!Names.isPort(port.asLong())) {
                errs.add(FieldError.invalid(path + ".port", port.asLong(), Names.PORT_RANGE_MSG));
            }
        } else if (port.isTextual()) {
            for (String m : Names.portName(port.asText())) {
                errs.add(FieldError.invalid(path + ".port", port.asText(), m));
            }
        }
        JsonNode end = p.path("endPort");
        if (end.isIntegralNumber()) {
            if (port.isTextual()) {
                errs.add(FieldError.forbidden(path + ".endPort", "may not be specified when `port` is non-numeric"));
            } else if (!port.isIntegralNumber()) {
                errs.add(FieldError.required(path + ".port", "must be specified when `endPort` is specified"));
            } else if (end.asLong() < port.asLong()) {
                errs.add(FieldError.invalid(path + ".endPort", end.asLong(), "must be greater than or equal to `port`"));
            } else if (!Names.isPort(end.asLong())) {
                errs.add(FieldError.invalid(path + ".endPort", end.asLong(), Names.PORT_RANGE_MSG));
            }
        }
    }

    private static void peer(JsonNode peer, String path, List<FieldError> errs) {
        int n = 0;
        if (peer.path("podSelector").isObject()) {
            n++;
            MetadataValidation.labelSelector(peer.path("podSelector"), path + ".podSelector", errs);
        }
        if (peer.path("namespaceSelector").isObject()) {
            n++;
            MetadataValidation.labelSelector(peer.path("namespaceSelector"), path + ".namespaceSelector", errs);
        }
        JsonNode block = peer.path("ipBlock");
        if (block.isObject()) {
            n++;
            ipBlock(block, path + ".ipBlock", errs);
        }
        if (n == 0) {
            errs.add(FieldError.required(path, "must specify a peer"));
        } else if (block.isObject() && n > 1) {
            errs.add(FieldError.forbidden(path, "may not specify more than 1 peer"));
        }
    }

    private static void ipBlock(JsonNode block, String path, List<FieldError> errs) {
        String cidr = block.path("cidr").asText("");
        if (cidr.isEmpty()) {
            errs.add(FieldError.required(path + ".cidr", ""));
            return;
        }
        if (!Names.isCidr(cidr)) {
            errs.add(FieldError.invalid(path + ".cidr", cidr, Names.CIDR_MSG));
            return;
        }
        JsonNode except = block.path("except");
        for (int i = 0; i < except.size(); i++) {
            String e = except.get(i).asText("");
            String p = path + ".except[" + i + "]";
            if (!Names.isCidr(e)) {
                errs.add(FieldError.invalid(p, e, Names.CIDR_MSG));
                continue;
            }
            int outer = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
            int inner = Integer.parseInt(e.substring(e.indexOf('/') + 1));
            boolean sameFamily = cidr.contains(":") == e.contains(":");
            if (!sameFamily || inner <= outer || !Names.contains(cidr, e.substring(0, e.indexOf('/')))) {
                errs.add(FieldError.invalid(p, e, "must be a strict subset of `cidr`"));
            }
        }
    }
}
