package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Pod validation for the fields service networking depends on, after upstream
 * {@code pkg/apis/core/validation/validation.go}: ValidatePodSpec (containers, container ports and
 * their names, hostNetwork/hostPort, restartPolicy, dnsPolicy, validatePodDNSConfig, hostAliases,
 * hostname/subdomain, readiness/liveness probe ports) and ValidatePodUpdate (only images,
 * activeDeadlineSeconds, tolerations and terminationGracePeriodSeconds may change; binding sets
 * nodeName once).
 */
final class PodValidation {
    static final int MAX_DNS_NAMESERVERS = 3;
    static final int MAX_DNS_SEARCH_PATHS = 32;
    private static final String UPDATE_MSG = "pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to"
            + " existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was"
            + " previously negative)";

    private PodValidation() {
    }

    /** ValidatePod: metadata (DNS-1123 subdomain name) and spec. */
    static void validate(JsonNode pod, List<FieldError> errs) {
        MetadataValidation.objectMeta(pod.path("metadata"), Names::dns1123Subdomain, errs);
        podSpec(pod.path("spec"), "spec", errs);
    }

    /** ValidatePodUpdate: the spec is immutable except for the fields upstream lists. */
    static void validateUpdate(JsonNode pod, JsonNode old, List<FieldError> errs) {
        validate(pod, errs);
        ObjectNode a = mutable(pod.path("spec"));
        ObjectNode b = mutable(old.path("spec"));
        if (b.path("nodeName").asText("").isEmpty()) {
            a.remove("nodeName"); // binding: set once by the scheduler
            b.remove("nodeName");
        }
        if (!a.equals(b)) {
            errs.add(FieldError.forbidden("spec", UPDATE_MSG));
        }
    }

    private static ObjectNode mutable(JsonNode spec) {
        ObjectNode s = spec.isObject() ? ((ObjectNode) spec).deepCopy() : Json.MAPPER.createObjectNode();
        s.remove(List.of("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"));
        for (String list : new String[] {"containers", "initContainers"}) {
            for (JsonNode c : s.path(list)) {
                if (c instanceof ObjectNode o) {
                    o.remove("image");
                }
            }
        }
        return s;
    }

    /** ValidatePodSpec (networking parts) at {@code path} ({@code spec} or {@code spec.template.spec}). */
    static void podSpec(JsonNode spec, String path, List<FieldError> errs) {
        JsonNode containers = spec.path("containers");
        if (containers.size() == 0) {
            errs.add(FieldError.required(path + ".containers", ""));
        }
        boolean hostNetwork = spec.path("hostNetwork").asBoolean(false);
        Set<String> names = new HashSet<>();
        Set<String> portNames = new HashSet<>();
        containers(spec.path("initContainers"), path + ".initContainers", hostNetwork, names, portNames, errs);
        containers(containers, path + ".containers", hostNetwork, names, portNames, errs);
        String restart = spec.path("restartPolicy").asText("");
        if (restart.isEmpty()) {
            errs.add(FieldError.required(path + ".restartPolicy", ""));
        } else if (!List.of("Always", "OnFailure", "Never").contains(restart)) {
            errs.add(FieldError.notSupported(path + ".restartPolicy", restart, List.of("Always", "Never", "OnFailure")));
        }
        String dnsPolicy = spec.path("dnsPolicy").asText("");
        List<String> policies = List.of("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None");
        if (dnsPolicy.isEmpty()) {
            errs.add(FieldError.required(path + ".dnsPolicy", ""));
        } else if (!policies.contains(dnsPolicy)) {
            errs.add(FieldError.notSupported(path + ".dnsPolicy", dnsPolicy, policies));
        }
        dnsConfig(spec.path("dnsConfig"), dnsPolicy, path + ".dnsConfig", errs);
        JsonNode aliases = spec.path("hostAliases");
        for (int i = 0; i < aliases.size(); i++) {
            JsonNode a = aliases.get(i);
            String p = path + ".hostAliases[" + i + "]";
            String ip = a.path("ip").asText("");
            if (!Names.isIp(ip)) {
                errs.add(FieldError.invalid(p + ".ip", ip, "must be valid IP address"));
            }
            JsonNode hosts = a.path("hostnames");
            for (int j = 0; j < hosts.size(); j++) {
                String h = hosts.get(j).asText("");
                for (String m : Names.dns1123Subdomain(h)) {
                    errs.add(FieldError.invalid(p + ".hostnames[" + j + "]", h, m));
                }
            }
        }
        for (String f : new String[] {"hostname", "subdomain"}) {
            String v = spec.path(f).asText("");
            if (!v.isEmpty()) {
                for (String m : Names.dns1123Label(v)) {
                    errs.add(FieldError.invalid(path + "." + f, v, m));
                }
            }
        }
        if (spec.hasNonNull("nodeName")) {
            String node = spec.path("nodeName").asText();
            for (String m : Names.dns1123Subdomain(node)) {
                errs.add(FieldError.invalid(path + ".nodeName", node, m));
            }
        }
        JsonNode grace = spec.path("terminationGracePeriodSeconds");
        if (grace.isIntegralNumber() && grace.asLong() < 0) {
            errs.add(FieldError.invalid(path + ".terminationGracePeriodSeconds", grace.asLong(),
                    "must be greater than or equal to 0"));
        }
    }

    private static void containers(JsonNode containers, String path, boolean hostNetwork, Set<String> names,
            Set<String> portNames, List<FieldError> errs) {
        for (int i = 0; i < containers.size(); i++) {
            JsonNode c = containers.get(i);
            String cp = path + "[" + i + "]";
            String name = c.path("name").asText("");
            if (name.isEmpty()) {
                errs.add(FieldError.required(cp + ".name", ""));
            } else {
                for (String m : Names.dns1123Label(name)) {
                    errs.add(FieldError.invalid(cp + ".name", name, m));
                }
                if (!names.add(name)) {
                    errs.add(FieldError.duplicate(cp + ".name", name));
                }
            }
            if (c.path("image").asText("").isEmpty()) {
                errs.add(FieldError.required(cp + ".image", ""));
            }
            JsonNode ports = c.path("ports");
            for (int j = 0; j < ports.size(); j++) {
                JsonNode p = ports.get(j);
                String pp = cp + ".ports[" + j + "]";
                String pn = p.path("name").asText("");
                if (!pn.isEmpty()) {
                    for (String m : Names.portName(pn)) {
                        errs.add(FieldError.invalid(pp + ".name", pn, m));
                    }
                    if (!portNames.add(pn)) {
                        errs.add(FieldError.duplicate(pp + ".name", pn));
                    }
                }
                int port = p.path("containerPort").asInt(0);
                if (port == 0) {
                    errs.add(FieldError.required(pp + ".containerPort", ""));
                } else if (!Names.isPort(port)) {
                    errs.add(FieldError.invalid(pp + ".containerPort", port, Names.PORT_RANGE_MSG));
                }
                int hostPort = p.path("hostPort").asInt(0);
                if (hostPort != 0 && !Names.isPort(hostPort)) {
                    errs.add(FieldError.invalid(pp + ".hostPort", hostPort, Names.PORT_RANGE_MSG));
                }
                if (hostNetwork && hostPort != 0 && hostPort != port) {
                    errs.add(FieldError.invalid(pp + ".hostPort", hostPort, "must match `containerPort` when `hostNetwork` is true"));
                }
                String protocol = p.path("protocol").asText("");
                if (protocol.isEmpty()) {
                    errs.add(FieldError.required(pp + ".protocol", ""));
                } else if (!PortValidation.PROTOCOLS.contains(protocol)) {
                    errs.add(FieldError.notSupported(pp + ".protocol", protocol, PortValidation.PROTOCOLS));
                }
                if (p.hasNonNull("hostIP")) {
                    String ip = p.path("hostIP").asText();
                    if (!Names.isIp(ip)) {
                        errs.add(FieldError.invalid(pp + ".hostIP", ip, Names.IP_MSG));
                    }
                }
            }
            for (String probe : new String[] {"readinessProbe", "livenessProbe", "startupProbe"}) {
                JsonNode pr = c.path(probe);
                if (pr.isObject()) {
                    for (String handler : new String[] {"httpGet", "tcpSocket", "grpc"}) {
                        JsonNode h = pr.path(handler);
                        if (h.isObject() && h.has("port")) {
                            ServiceValidation.portNumOrName(h.path("port"), cp + "." + probe + "." + handler + ".port", errs);
                        }
                    }
                }
            }
        }
    }

    private static void dnsConfig(JsonNode cfg, String dnsPolicy, String path, List<FieldError> errs) {
        if (dnsPolicy.equals("None") && (cfg.isMissingNode() || cfg.isNull())) {
            errs.add(FieldError.required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
            return;
        }
        if (!cfg.isObject()) {
            return;
        }
        JsonNode ns = cfg.path("nameservers");
        if (dnsPolicy.equals("None") && ns.size() == 0) {
            errs.add(FieldError.required(path + ".nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None"));
        }
        if (ns.size() > MAX_DNS_NAMESERVERS) {
            errs.add(FieldError.invalid(path + ".nameservers", ns, "must not have more than " + MAX_DNS_NAMESERVERS + " nameservers"));
        }
        for (int i = 0; i < ns.size(); i++) {
            String ip = ns.get(i).asText("");
            if (!Names.isIp(ip)) {
                errs.add(FieldError.invalid(path + ".nameservers[" + i + "]", ip, "must be valid IP address"));
            }
        }
        JsonNode searches = cfg.path("searches");
        if (searches.size() > MAX_DNS_SEARCH_PATHS) {
            errs.add(FieldError.invalid(path + ".searches", searches, "must not have more than " + MAX_DNS_SEARCH_PATHS + " search paths"));
        }
        for (int i = 0; i < searches.size(); i++) {
            String s = searches.get(i).asText("");
            if (s.equals(".")) {
                continue; // a single dot is allowed, as upstream
            }
            String trimmed = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
            for (String m : Names.dns1123Subdomain(trimmed)) {
                errs.add(FieldError.invalid(path + ".searches[" + i + "]", s, m));
            }
        }
        JsonNode options = cfg.path("options");
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).path("name").asText("").isEmpty()) {
                errs.add(FieldError.required(path + ".options[" + i + "]", "Option.Name must not be empty"));
            }
        }
    }
}
