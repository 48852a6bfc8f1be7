package dev.junction.ingress;

/**
 * {@code spec.rules[].http.paths[].pathType} of an Ingress (networking.k8s.io/v1
 * {@code HTTPIngressPath}). {@code ImplementationSpecific} is treated exactly as {@code Prefix} by
 * this controller, as the API allows ("implementations can treat this … identically to Prefix").
 */
public enum PathType {
    /** Matches the URL path exactly, case-sensitively. */
    EXACT,
    /** Element-wise prefix of the request path split by {@code /}. */
    PREFIX,
    /** Treated as {@link #PREFIX}. */
    IMPLEMENTATION_SPECIFIC;

    /**
     * Parses the API spelling.
     *
     * @throws IllegalArgumentException for anything but {@code Exact}, {@code Prefix},
     *                                  {@code ImplementationSpecific}
     */
    public static PathType parse(String value) {
        return switch (value) {
            case "Exact" -> EXACT;
            case "Prefix" -> PREFIX;
            case "ImplementationSpecific" -> IMPLEMENTATION_SPECIFIC;
            default -> throw new IllegalArgumentException(
                    "pathType: " + value + " (expected: Exact, Prefix or ImplementationSpecific)");
        };
    }

    /** Whether matching is exact (only {@link #EXACT}). */
    public boolean exact() {
        return this == EXACT;
    }
}
