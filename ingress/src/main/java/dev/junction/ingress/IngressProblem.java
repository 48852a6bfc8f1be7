package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

/**
 * Something wrong with one Ingress, reported as a Kubernetes Event on it and logged.
 *
 * @param ingress  {@code namespace/name}
 * @param reason   the Event reason, UpperCamelCase ({@code ResourceBackendUnsupported},
 *                 {@code InvalidPath}, {@code Conflict}, {@code UnknownAnnotation},
 *                 {@code InvalidAnnotation}, {@code CanaryWithoutMain})
 * @param message  a human sentence
 * @param rejected true when the whole Ingress was left out of the route table (Event type
 *                 Warning either way)
 */
public record IngressProblem(String ingress, String reason, String message, boolean rejected) {
    public IngressProblem {
        requireNonNull(ingress, "ingress");
        requireNonNull(reason, "reason");
        requireNonNull(message, "message");
    }
}
