package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;

/**
 * The checks every named port shares — Service ports, Endpoints subset ports and EndpointSlice
 * ports (kubernetes pkg/apis/core/validation/validation.go {@code validateServicePort},
 * {@code validateEndpointPort}; pkg/apis/discovery/validation): an optional or required DNS-1123
 * label name unique within its list, a port number in 1..65535 and a supported protocol.
 */
final class PortValidation {
    /** Supported protocols, as upstream's {@code supportedPortProtocols}. */
    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");

    private PortValidation() {
    }

    /**
     * Validates {@code name}, {@code port} and {@code protocol} of the port object {@code p}.
     *
     * @param requireName true when the list has more than one port (each must then be named)
     * @param names       names seen so far in the list; {@code p}'s name is added
     * @param path        field path of {@code p}, e.g. {@code spec.ports[1]}
     */
    static void namedPort(JsonNode p, boolean requireName, Set<String> names, String path, List<FieldError> errs) {
        String name = p.path("name").asText("");
        if (requireName && name.isEmpty()) {
            errs.add(FieldError.required(path + ".name", ""));
        } else if (!name.isEmpty()) {
            for (String m : Names.dns1123Label(name)) {
                errs.add(FieldError.invalid(path + ".name", name, m));
            }
            if (!names.add(name)) {
                errs.add(FieldError.duplicate(path + ".name", name));
            }
        }
        int port = p.path("port").asInt(0);
        if (!Names.isPort(port)) {
            errs.add(FieldError.invalid(path + ".port", port, Names.PORT_RANGE_MSG));
        }
        String protocol = p.path("protocol").asText("");
        if (protocol.isEmpty()) {
            errs.add(FieldError.required(path + ".protocol", ""));
        } else if (!PROTOCOLS.contains(protocol)) {
            errs.add(FieldError.notSupported(path + ".protocol", protocol, PROTOCOLS));
        }
    }
}
