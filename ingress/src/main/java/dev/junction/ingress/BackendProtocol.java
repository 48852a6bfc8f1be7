package dev.junction.ingress;

import java.util.Locale;

/** {@code nginx.ingress.kubernetes.io/backend-protocol}: how the controller talks to endpoints. */
public enum BackendProtocol {
    /** HTTP/1.1 in clear text (the default). */
    HTTP,
    /** HTTP/1.1 over TLS; the endpoint's certificate is not verified (ingress-nginx default). */
    HTTPS,
    /** gRPC: HTTP/2 in clear text (h2c with prior knowledge), for HTTP/2 clients. */
    GRPC;

    /**
     * @throws IllegalArgumentException for other values (ingress-nginx also knows AUTO_HTTP,
     *                                  GRPCS and FCGI, which this controller does not implement)
     */
    public static BackendProtocol parse(String value) {
        return switch (value.trim().toUpperCase(Locale.ROOT)) {
            case "HTTP" -> HTTP;
            case "HTTPS" -> HTTPS;
            case "GRPC" -> GRPC;
            default -> throw new IllegalArgumentException("backend-protocol: " + value + " (expected: HTTP, HTTPS or GRPC)");
        };
    }
}
