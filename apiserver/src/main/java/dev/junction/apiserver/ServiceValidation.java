package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Service validation after upstream {@code pkg/apis/core/validation/validation.go}: ValidateService,
 * validateServicePort, validateClientIPAffinityConfig, ValidateServiceClusterIPsRelatedFields,
 * validateServiceExternalTrafficPolicy, validateServiceInternalTrafficFieldsValue,
 * validateLoadBalancerClassField and ValidateServiceUpdate (validateUpgradeDowngradeClusterIPs /
 * IPFamilies). Runs on the defaulted object, so {@code clusterIPs} mirrors {@code clusterIP}.
 * This cluster is single-stack IPv4 (as kube-apiserver with one IPv4 service CIDR): IPv6 families
 * and RequireDualStack are refused the way the upstream allocator refuses them.
 */
final class ServiceValidation {
    static final int MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
    private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
    private static final List<String> POLICIES = List.of("PreferDualStack", "RequireDualStack", "SingleStack");

    private ServiceValidation() {
    }

    /** ValidateService. */
    static void validate(JsonNode svc, List<FieldError> errs) {
        MetadataValidation.objectMeta(svc.path("metadata"), Names::dns1035Label, errs);
        JsonNode spec = svc.path("spec");
        String type = spec.path("type").asText("");
        JsonNode ports = spec.path("ports");
        JsonNode clusterIps = spec.path("clusterIPs");
        boolean headless = clusterIps.size() == 1 && clusterIps.get(0).asText().equals("None");
        if (ports.size() == 0 && !headless && !type.equals("ExternalName")) {
            errs.add(FieldError.required("spec.ports", ""));
        }
        switch (type) {
            case "LoadBalancer", "NodePort" -> {
                if (headless) {
                    errs.add(FieldError.invalid("spec.clusterIPs[0]", "None",
                            "may not be set to 'None' for " + type + " services"));
                }
            }
            case "ExternalName" -> {
                if (clusterIps.size() > 0 || !spec.path("clusterIP").asText("").isEmpty()) {
                    errs.add(FieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
                }
                if (spec.path("ipFamilies").size() > 0) {
                    errs.add(FieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
                }
                if (spec.hasNonNull("ipFamilyPolicy")) {
                    errs.add(FieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
                }
                String name = spec.path("externalName").asText("");
                String cname = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
                if (cname.isEmpty()) {
                    errs.add(FieldError.required("spec.externalName", ""));
                } else {
                    for (String m : Names.dns1123Subdomain(cname)) {
                        errs.add(FieldError.invalid("spec.externalName", cname, m));
                    }
                }
            }
            default -> {
            }
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            port(ports.get(i), ports.size() > 1, names, "spec.ports[" + i + "]", errs);
        }
        MetadataValidation.labels(spec.path("selector"), "spec.selector", errs);
        String affinity = spec.path("sessionAffinity").asText("");
        if (affinity.isEmpty()) {
            errs.add(FieldError.required("spec.sessionAffinity", ""));
        } else if (!affinity.equals("ClientIP") && !affinity.equals("None")) {
            errs.add(FieldError.notSupported("spec.sessionAffinity", affinity, List.of("ClientIP", "None")));
        }
        if (affinity.equals("ClientIP")) {
            JsonNode cfg = spec.path("sessionAffinityConfig");
            String p = "spec.sessionAffinityConfig";
            if (cfg.isMissingNode() || cfg.isNull()) {
                errs.add(FieldError.required(p, "when session affinity type is ClientIP"));
            } else if (cfg.path("clientIP").isMissingNode() || cfg.path("clientIP").isNull()) {
                errs.add(FieldError.required(p + ".clientIP", "when session affinity type is ClientIP"));
            } else {
                JsonNode t = cfg.path("clientIP").path("timeoutSeconds");
                if (t.isMissingNode() || t.isNull()) {
                    errs.add(FieldError.required(p + ".clientIP.timeoutSeconds", "when session affinity type is ClientIP"));
                } else if (t.asLong() <= 0 || t.asLong() > MAX_CLIENT_IP_AFFINITY_SECONDS) {
                    errs.add(FieldError.invalid(p + ".clientIP.timeoutSeconds", t.asLong(),
                            "must be greater than 0 and less than " + MAX_CLIENT_IP_AFFINITY_SECONDS));
                }
            }
        } else if (affinity.equals("None") && spec.hasNonNull("sessionAffinityConfig")) {
            errs.add(FieldError.forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
        }
        clusterIpsRelated(spec, type, errs);
        JsonNode externalIps = spec.path("externalIPs");
        for (int i = 0; i < externalIps.size(); i++) {
            String ip = externalIps.get(i).asText("");
            String p = "spec.externalIPs[" + i + "]";
            if (!Names.isIp(ip)) {
                errs.add(FieldError.invalid(p, ip, Names.IP_MSG));
            } else {
                for (String m : Names.nonSpecialIp(ip)) {
                    errs.add(FieldError.invalid(p, ip, m));
                }
            }
        }
        if (type.isEmpty()) {
            errs.add(FieldError.required("spec.type", ""));
        } else if (!TYPES.contains(type)) {
            errs.add(FieldError.notSupported("spec.type", type, TYPES));
        }
        Set<String> nodePorts = new HashSet<>();
        Set<String> portKeys = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.get(i);
            String path = "spec.ports[" + i + "]";
            int np = p.path("nodePort").asInt(0);
            String protocol = p.path("protocol").asText("");
            if (np != 0 && type.equals("ClusterIP")) {
                errs.add(FieldError.forbidden(path + ".nodePort", "may not be used when `type` is 'ClusterIP'"));
            }
            if (np != 0 && !Names.isPort(np)) {
                errs.add(FieldError.invalid(path + ".nodePort", np, Names.PORT_RANGE_MSG));
            }
            if (np != 0 && !nodePorts.add(protocol + "/" + np)) {
                errs.add(FieldError.duplicate(path + ".nodePort", np));
            }
            int port = p.path("port").asInt(0);
            if (!portKeys.add(protocol + "/" + port)) {
                errs.add(FieldError.duplicate(path, "{Port:" + port + ", Protocol:" + protocol + "}"));
            }
        }
        JsonNode ranges = spec.path("loadBalancerSourceRanges");
        if (ranges.size() > 0) {
            if (!type.equals("LoadBalancer")) {
                errs.add(FieldError.forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
            }
            for (int i = 0; i < ranges.size(); i++) {
                String cidr = ranges.get(i).asText("").trim();
                if (!Names.isCidr(cidr)) {
                    errs.add(FieldError.invalid("spec.LoadBalancerSourceRanges[" + i + "]", cidr, Names.CIDR_MSG));
                }
            }
        }
        if (spec.hasNonNull("allocateLoadBalancerNodePorts") && !type.equals("LoadBalancer")) {
            errs.add(FieldError.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
        }
        if (type.equals("LoadBalancer") && !spec.hasNonNull("allocateLoadBalancerNodePorts")) {
            errs.add(FieldError.required("allocateLoadBalancerNodePorts", ""));
        }
        if (spec.hasNonNull("loadBalancerClass")) {
            String cls = spec.path("loadBalancerClass").asText();
            if (type.equals("LoadBalancer")) {
                for (String m : Names.qualifiedName(cls)) {
                    errs.add(FieldError.invalid("spec.loadBalancerClass", cls, m));
                }
            } else {
                errs.add(FieldError.forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
            }
        }
        trafficPolicies(spec, type, errs);
    }

    /** ValidateServiceUpdate: ValidateService plus the clusterIPs/ipFamilies/loadBalancerClass/healthCheckNodePort rules. */
    static void validateUpdate(JsonNode svc, JsonNode old, List<FieldError> errs) {
        JsonNode spec = svc.path("spec");
        JsonNode oldSpec = old.path("spec");
        String type = spec.path("type").asText("");
        String oldType = oldSpec.path("type").asText("");
        if (!type.equals("ExternalName") && !oldType.equals("ExternalName")) {
            JsonNode ips = spec.path("clusterIPs");
            JsonNode oldIps = oldSpec.path("clusterIPs");
            boolean headless = isHeadless(spec);
            boolean oldHeadless = isHeadless(oldSpec);
            if (!(headless && oldHeadless)) {
                if (ips.size() == oldIps.size()) {
                    for (int i = 0; i < oldIps.size(); i++) {
                        if (!oldIps.get(i).asText().equals(ips.get(i).asText())) {
                            errs.add(FieldError.invalid("spec.clusterIPs[" + i + "]", ips, "may not change once set"));
                        }
                    }
                } else if (ips.size() < oldIps.size()) {
                    if (ips.size() == 0) {
                        errs.add(FieldError.invalid("spec.clusterIPs[0]", ips, "primary clusterIP can not be unset"));
                    } else if (!ips.get(0).asText().equals(oldIps.get(0).asText())) {
                        errs.add(FieldError.invalid("spec.clusterIPs[0]", ips, "may not change once set"));
                    }
                } else if (oldIps.size() > 0 && !ips.get(0).asText().equals(oldIps.get(0).asText())) {
                    errs.add(FieldError.invalid("spec.clusterIPs[0]", ips, "may not change once set"));
                }
            }
            JsonNode fams = spec.path("ipFamilies");
            JsonNode oldFams = oldSpec.path("ipFamilies");
            if (!headless && !oldHeadless && fams.size() == oldFams.size()) {
                for (int i = 0; i < oldFams.size(); i++) {
                    if (!oldFams.get(i).asText().equals(fams.get(i).asText())) {
                        errs.add(FieldError.invalid("spec.ipFamilies[0]", fams, "may not change once set"));
                    }
                }
            }
        }
        if (type.equals("LoadBalancer") && oldType.equals("LoadBalancer")
                && !Objects.equals(text(spec, "loadBalancerClass"), text(oldSpec, "loadBalancerClass"))) {
            errs.add(FieldError.invalid("spec.loadBalancerClass", spec.path("loadBalancerClass"), "may not change once set"));
        }
        if (needsHealthCheck(spec) && needsHealthCheck(oldSpec)
                && spec.path("healthCheckNodePort").asInt(0) != oldSpec.path("healthCheckNodePort").asInt(0)) {
            errs.add(FieldError.forbidden("spec.healthCheckNodePort", "field is immutable"));
        }
        validate(svc, errs);
    }

    private static void port(JsonNode p, boolean requireName, Set<String> names, String path, List<FieldError> errs) {
        PortValidation.namedPort(p, requireName, names, path, errs);
        portNumOrName(p.path("targetPort"), path + ".targetPort", errs);
        if (p.hasNonNull("appProtocol")) {
            String ap = p.path("appProtocol").asText();
            for (String m : Names.qualifiedName(ap)) {
                errs.add(FieldError.invalid(path + ".appProtocol", ap, m));
            }
        }
    }

    /** ValidatePortNumOrName: a port number 1-65535 or an IANA service name. */
    static void portNumOrName(JsonNode v, String path, List<FieldError> errs) {
        if (v.isIntegralNumber()) {
            if (!Names.isPort(v.asLong())) {
                errs.add(FieldError.invalid(path, v.asLong(), Names.PORT_RANGE_MSG));
            }
        } else if (v.isTextual()) {
            if (v.asText().isEmpty()) {
                errs.add(FieldError.required(path, ""));
            }
            for (String m : v.asText().isEmpty() ? List.<String>of() : Names.portName(v.asText())) {
                errs.add(FieldError.invalid(path, v.asText(), m));
            }
        }
    }

    private static void clusterIpsRelated(JsonNode spec, String type, List<FieldError> errs) {
        if (type.equals("ExternalName")) {
            return;
        }
        String clusterIp = spec.path("clusterIP").asText("");
        JsonNode ips = spec.path("clusterIPs");
        if (!clusterIp.isEmpty()) {
            if (ips.size() == 0) {
                errs.add(FieldError.required("spec.clusterIPs", ""));
            } else if (!ips.get(0).asText().equals(clusterIp)) {
                errs.add(FieldError.invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"));
            }
        } else if (ips.size() != 0) {
            errs.add(FieldError.invalid("spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified"));
        }
        JsonNode fams = spec.path("ipFamilies");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < fams.size(); i++) {
            String f = fams.get(i).asText("");
            if (!f.equals("IPv4") && !f.equals("IPv6")) {
                errs.add(FieldError.notSupported("spec.ipFamilies[" + i + "]", f, List.of("IPv4", "IPv6")));
            } else if (f.equals("IPv6")) {
                errs.add(FieldError.invalid("spec.ipFamilies[" + i + "]", f, "not configured on this cluster"));
            }
            if (!seen.add(f)) {
                errs.add(FieldError.duplicate("spec.ipFamilies[" + i + "]", f));
            }
        }
        if (spec.hasNonNull("ipFamilyPolicy")) {
            String policy = spec.path("ipFamilyPolicy").asText();
            if (!POLICIES.contains(policy)) {
                errs.add(FieldError.notSupported("spec.ipFamilyPolicy", policy, POLICIES));
            } else if (policy.equals("RequireDualStack")) {
                errs.add(FieldError.invalid("spec.ipFamilyPolicy", policy,
                        "this cluster is not configured for dual-stack services"));
            }
        }
        boolean invalid = false;
        for (int i = 0; i < ips.size(); i++) {
            String ip = ips.get(i).asText("");
            if (i == 0 && ip.equals("None")) {
                if (ips.size() > 1) {
                    invalid = true;
                    errs.add(FieldError.invalid("spec.clusterIPs", ips, "'None' must be the first and only value"));
                }
                continue;
            }
            if (!Names.isIp(ip)) {
                invalid = true;
                errs.add(FieldError.invalid("spec.clusterIPs[" + i + "]", ip, Names.IP_MSG));
            }
        }
        if (ips.size() > 2) {
            errs.add(FieldError.invalid("spec.clusterIPs", ips, "may only hold up to 2 values"));
        }
        if (invalid) {
            return;
        }
        if (ips.size() > 1 && Names.isIpv6(ips.get(0).asText()) == Names.isIpv6(ips.get(1).asText())) {
            errs.add(FieldError.invalid("spec.clusterIPs", ips, "may specify no more than one IP for each IP family"));
        }
        if (!isHeadless(spec)) {
            for (int i = 0; i < ips.size() && i < fams.size(); i++) {
                String ip = ips.get(i).asText();
                if (fams.get(i).asText().equals("IPv4") && Names.isIpv6(ip)) {
                    errs.add(FieldError.invalid("spec.clusterIPs[" + i + "]", ip,
                            "expected an IPv4 value as indicated by `ipFamilies[" + i + "]`"));
                }
                if (fams.get(i).asText().equals("IPv6") && !Names.isIpv6(ip)) {
                    errs.add(FieldError.invalid("spec.clusterIPs[" + i + "]", ip,
                            "expected an IPv6 value as indicated by `ipFamilies[" + i + "]`"));
                }
            }
        }
    }

    private static void trafficPolicies(JsonNode spec, String type, List<FieldError> errs) {
        boolean external = type.equals("LoadBalancer") || type.equals("NodePort")
                || type.equals("ClusterIP") && spec.path("externalIPs").size() > 0;
        String etp = spec.path("externalTrafficPolicy").asText("");
        if (!external) {
            if (!etp.isEmpty()) {
                errs.add(FieldError.invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"));
            }
        } else if (etp.isEmpty()) {
            errs.add(FieldError.required("spec.externalTrafficPolicy", ""));
        } else if (!etp.equals("Cluster") && !etp.equals("Local")) {
            errs.add(FieldError.notSupported("spec.externalTrafficPolicy", etp, List.of("Cluster", "Local")));
        }
        int hc = spec.path("healthCheckNodePort").asInt(0);
        if (!needsHealthCheck(spec)) {
            if (hc != 0) {
                errs.add(FieldError.invalid("spec.healthCheckNodePort", hc,
                        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
            }
        } else if (hc != 0 && !Names.isPort(hc)) {
            errs.add(FieldError.invalid("spec.healthCheckNodePort", hc, Names.PORT_RANGE_MSG));
        }
        String itp = spec.path("internalTrafficPolicy").asText("");
        if (itp.isEmpty()) {
            if (!type.equals("ExternalName")) {
                errs.add(FieldError.required("spec.internalTrafficPolicy", ""));
            }
        } else if (!itp.equals("Cluster") && !itp.equals("Local")) {
            errs.add(FieldError.notSupported("spec.internalTrafficPolicy", itp, List.of("Cluster", "Local")));
        }
        if (spec.hasNonNull("trafficDistribution") && !spec.path("trafficDistribution").asText().equals("PreferClose")) {
            errs.add(FieldError.notSupported("spec.trafficDistribution", spec.path("trafficDistribution").asText(),
                    List.of("PreferClose")));
        }
    }

    private static boolean needsHealthCheck(JsonNode spec) {
        return spec.path("type").asText("").equals("LoadBalancer")
                && spec.path("externalTrafficPolicy").asText("").equals("Local");
    }

    private static boolean isHeadless(JsonNode spec) {
        JsonNode ips = spec.path("clusterIPs");
        return ips.size() == 1 && ips.get(0).asText().equals("None");
    }

    private static String text(JsonNode n, String f) {
        return n.hasNonNull(f) ? n.get(f).asText() : null;
    }
}
