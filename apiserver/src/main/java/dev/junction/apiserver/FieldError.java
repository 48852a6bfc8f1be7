package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

/**
 * One validation failure, shaped like upstream {@code k8s.io/apimachinery/pkg/util/validation/field.Error}:
 * {@code field: Invalid value: "x": detail}.
 *
 * @param reason  cause reason such as {@code FieldValueInvalid}, {@code FieldValueRequired}
 * @param field   field path such as {@code spec.ports[0].name}
 * @param message the message without the field path, e.g. {@code Invalid value: "x": detail}
 */
public record FieldError(String reason, String field, String message) {
    public FieldError {
        requireNonNull(reason, "reason");
        requireNonNull(field, "field");
        requireNonNull(message, "message");
    }

    /** {@code field.Invalid}: the value is rendered as Go's {@code %#v} would (strings quoted). */
    public static FieldError invalid(String field, Object value, String detail) {
        String v = render(value);
        return new FieldError("FieldValueInvalid", field, "Invalid value: " + v + (detail.isEmpty() ? "" : ": " + detail));
    }

    /** {@code field.Required}. */
    public static FieldError required(String field, String detail) {
        return new FieldError("FieldValueRequired", field, "Required value" + (detail.isEmpty() ? "" : ": " + detail));
    }

    /** {@code field.Duplicate}. */
    public static FieldError duplicate(String field, Object value) {
        String v = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return new FieldError("FieldValueDuplicate", field, "Duplicate value: " + v);
    }

    /** {@code field.NotSupported}. */
    public static FieldError notSupported(String field, Object value, java.util.List<String> supported) {
        String v = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return new FieldError("FieldValueNotSupported", field, "Unsupported value: " + v + ": supported values: "
                + String.join(", ", supported.stream().map(s -> "\"" + s + "\"").toList()));
    }

    /** {@code field.Forbidden}. */
    public static FieldError forbidden(String field, String detail) {
        return new FieldError("FieldValueForbidden", field, "Forbidden: " + detail);
    }

    /** Renders a value as upstream's error text does: strings quoted, JSON values as JSON. */
    static String render(Object value) {
        if (value instanceof String s) {
            return "\"" + s + "\"";
        }
        if (value instanceof com.fasterxml.jackson.databind.JsonNode n) {
            return n.isMissingNode() ? "null" : n.toString();
        }
        return String.valueOf(value);
    }

    /** The full text, {@code spec.x: Invalid value: …}. */
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
