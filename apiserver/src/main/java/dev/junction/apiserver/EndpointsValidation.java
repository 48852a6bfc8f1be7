package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Endpoints and EndpointSlice validation after upstream {@code pkg/apis/core/validation/validation.go}
 * (ValidateEndpoints, validateEndpointSubsets, validateEndpointAddress, validateEndpointPort) and
 * {@code pkg/apis/discovery/validation/validation.go} (ValidateEndpointSlice: addressType,
 * endpoints with at most 100 addresses of that type, hostname, ports, immutable addressType).
 */
final class EndpointsValidation {
    static final int MAX_ADDRESSES = 100;
    static final int MAX_PORTS = 20000;
    private static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");

    private EndpointsValidation() {
    }

    /** ValidateEndpoints (the Endpoints object is named after its Service: DNS-1123 subdomain). */
    static void endpoints(JsonNode ep, List<FieldError> errs) {
        MetadataValidation.objectMeta(ep.path("metadata"), Names::dns1123Subdomain, errs);
        // the API server's own endpoints (default/kubernetes) may be loopback, as upstream's reconciler writes them unvalidated
        boolean own = ep.path("metadata").path("name").asText("").equals("kubernetes")
                && ep.path("metadata").path("namespace").asText("").equals("default");
        JsonNode subsets = ep.path("subsets");
        for (int i = 0; i < subsets.size(); i++) {
            JsonNode s = subsets.get(i);
            String p = "subsets[" + i + "]";
            if (s.path("addresses").size() == 0 && s.path("notReadyAddresses").size() == 0) {
                errs.add(FieldError.required(p, "must specify `addresses` or `notReadyAddresses`"));
            }
            for (String list : new String[] {"addresses", "notReadyAddresses"}) {
                JsonNode addrs = s.path(list);
                for (int j = 0; j < addrs.size(); j++) {
                    String ap = p + "." + list + "[" + j + "]";
                    String ip = addrs.get(j).path("ip").asText("");
                    if (!Names.isIp(ip)) {
                        errs.add(FieldError.invalid(ap + ".ip", ip, Names.IP_MSG));
                    } else if (!own) {
                        for (String m : Names.nonSpecialIp(ip)) {
                            errs.add(FieldError.invalid(ap + ".ip", ip, m));
                        }
                    }
                    String host = addrs.get(j).path("hostname").asText("");
                    if (!host.isEmpty()) {
                        for (String m : Names.dns1123Label(host)) {
                            errs.add(FieldError.invalid(ap + ".hostname", host, m));
                        }
                    }
                }
            }
            JsonNode ports = s.path("ports");
            Set<String> names = new HashSet<>();
            for (int j = 0; j < ports.size(); j++) {
                PortValidation.namedPort(ports.get(j), ports.size() > 1, names, p + ".ports[" + j + "]", errs);
            }
        }
    }

    /** ValidateEndpointSlice. */
    static void endpointSlice(JsonNode slice, List<FieldError> errs) {
        MetadataValidation.objectMeta(slice.path("metadata"), Names::dns1123Subdomain, errs);
        String addressType = slice.path("addressType").asText("");
        if (addressType.isEmpty()) {
            errs.add(FieldError.required("addressType", ""));
        } else if (!ADDRESS_TYPES.contains(addressType)) {
            errs.add(FieldError.notSupported("addressType", addressType, ADDRESS_TYPES));
        }
        JsonNode endpoints = slice.path("endpoints");
        for (int i = 0; i < endpoints.size(); i++) {
            JsonNode e = endpoints.get(i);
            String ep = "endpoints[" + i + "]";
            JsonNode addresses = e.path("addresses");
            String path = ep + ".addresses";
            if (addresses.size() == 0) {
                errs.add(FieldError.required(path, "must contain at least 1 address"));
            } else if (addresses.size() > MAX_ADDRESSES) {
                errs.add(new FieldError("FieldValueTooMany", path,
                        "Too many: " + addresses.size() + ": must have at most " + MAX_ADDRESSES + " items"));
            }
            for (int j = 0; j < addresses.size(); j++) {
                String a = addresses.get(j).asText("");
                String ap = path + "[" + j + "]";
                switch (addressType) {
                    case "IPv4" -> {
                        if (!Names.isIpv4(a)) {
                            errs.add(FieldError.invalid(ap, a, "must be a valid IPv4 address"));
                        }
                    }
                    case "IPv6" -> {
                        if (!Names.isIpv6(a)) {
                            errs.add(FieldError.invalid(ap, a, "must be a valid IPv6 address"));
                        }
                    }
                    case "FQDN" -> {
                        for (String m : Names.dns1123Subdomain(a)) {
                            errs.add(FieldError.invalid(ap, a, m));
                        }
                    }
                    default -> {
                    }
                }
            }
            String host = e.path("hostname").asText("");
            if (e.hasNonNull("hostname")) {
                for (String m : Names.dns1123Label(host)) {
                    errs.add(FieldError.invalid(ep + ".hostname", host, m));
                }
            }
            if (e.hasNonNull("nodeName")) {
                String node = e.path("nodeName").asText();
                for (String m : Names.dns1123Subdomain(node)) {
                    errs.add(FieldError.invalid(ep + ".nodeName", node, m));
                }
            }
        }
        JsonNode ports = slice.path("ports");
        if (ports.size() > MAX_PORTS) {
            errs.add(new FieldError("FieldValueTooMany", "ports", "Too many: " + ports.size() + ": must have at most "
                    + MAX_PORTS + " items"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.get(i);
            String pp = "ports[" + i + "]";
            String name = p.path("name").asText("");
            if (!name.isEmpty()) {
                for (String m : Names.dns1123Label(name)) {
                    errs.add(FieldError.invalid(pp + ".name", name, m));
                }
            }
            if (!names.add(name)) {
                errs.add(FieldError.duplicate(pp + ".name", name));
            }
            if (p.hasNonNull("port") && !Names.isPort(p.get("port").asLong())) {
                errs.add(FieldError.invalid(pp + ".port", p.get("port").asLong(), Names.PORT_RANGE_MSG));
            }
            String protocol = p.path("protocol").asText("");
            if (protocol.isEmpty()) {
                errs.add(FieldError.required(pp + ".protocol", ""));
            } else if (!PortValidation.PROTOCOLS.contains(protocol)) {
                errs.add(FieldError.notSupported(pp + ".protocol", protocol, PortValidation.PROTOCOLS));
            }
        }
    }

    /** ValidateEndpointSliceUpdate: addressType is immutable. */
    static void endpointSliceUpdate(JsonNode slice, JsonNode old, List<FieldError> errs) {
        String t = slice.path("addressType").asText("");
        if (!t.equals(old.path("addressType").asText(""))) {
            errs.add(FieldError.invalid("addressType", t, "field is immutable"));
        }
        endpointSlice(slice, errs);
    }

}
