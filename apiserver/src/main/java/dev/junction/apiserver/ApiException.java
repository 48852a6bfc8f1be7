package dev.junction.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A request failure rendered as a {@code meta/v1 Status} exactly as kube-apiserver shapes it
 * (upstream {@code k8s.io/apimachinery/pkg/api/errors/errors.go}: NewNotFound, NewAlreadyExists,
 * NewConflict, NewInvalid, NewBadRequest, NewMethodNotSupported, NewResourceExpired).
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String reason;
    private final String name;
    private final String group;
    private final String kind;
    private final List<FieldError> causes;

    private ApiException(int code, String reason, String message, String name, String group, String kind,
            List<FieldError> causes) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.name = name;
        this.group = group;
        this.kind = kind;
        this.causes = List.copyOf(causes);
    }

    /** 404 {@code services "x" not found}. */
    public static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.qualifiedName() + " \"" + name + "\" not found", name, type.group(),
                type.plural(), List.of());
    }

    /** 404 for a namespace that does not exist during a namespaced create. */
    public static ApiException namespaceNotFound(String namespace) {
        return notFound(Resources.NAMESPACES, namespace);
    }

    /** 404 for an unknown URL. */
    public static ApiException pathNotFound() {
        return new ApiException(404, "NotFound", "the server could not find the requested resource", null, null, null,
                List.of());
    }

    /** 409 {@code services "x" already exists}. */
    public static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.qualifiedName() + " \"" + name + "\" already exists", name,
                type.group(), type.plural(), List.of());
    }

    /** 409 optimistic-concurrency failure. */
    public static ApiException conflict(ResourceType type, String name, String detail) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedName() + " \"" + name
                + "\": " + detail, name, type.group(), type.plural(), List.of());
    }

    /** 422 {@code Service "x" is invalid: …}, one cause per field error. */
    public static ApiException invalid(ResourceType type, String name, List<FieldError> errors) {
        String joined = errors.size() == 1 ? errors.get(0).toString()
                : "[" + String.join(", ", errors.stream().map(FieldError::toString).toList()) + "]";
        String qualifiedKind = type.group().isEmpty() ? type.kind() : type.kind() + "." + type.group();
        return new ApiException(422, "Invalid", qualifiedKind + " \"" + name + "\" is invalid: " + joined, name,
                type.group(), type.kind(), errors);
    }

    /** 400 BadRequest with a free-form message. */
    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null, null, null, List.of());
    }

    /** 415 UnsupportedMediaType: client-go then retries the request as JSON. */
    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted"
                + " media types include: application/json, application/yaml, application/merge-patch+json,"
                + " application/json-patch+json, application/strategic-merge-patch+json (got " + contentType + ")", null,
                null, null, List.of());
    }

    /** 405 MethodNotAllowed. */
    public static ApiException methodNotAllowed(String method, ResourceType type) {
        return new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
                null, type.group(), type.plural(), List.of());
    }

    /** 410 Gone with reason Expired, for a watch whose resourceVersion was compacted away. */
    public static ApiException expired(long requested, long oldest) {
        return new ApiException(410, "Expired", "too old resource version: " + requested + " (" + oldest + ")", null, null,
                null, List.of());
    }

    /** 410 Expired for a {@code continue} token whose revision was compacted (upstream's wording). */
    public static ApiException expiredContinue() {
        return new ApiException(410, "Expired", "The provided continue parameter is too old to display a consistent list"
                + " result. You can start a new list without the continue parameter.", null, null, null, List.of());
    }

    /**
     * 409 Conflict for server-side apply, as upstream's fieldmanager reports it:
     * {@code Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas}.
     */
    static ApiException applyConflict(ResourceType type, String name, List<ManagedFields.Conflict> conflicts) {
        List<FieldError> causes = new java.util.ArrayList<>();
        List<String> lines = new java.util.ArrayList<>();
        for (ManagedFields.Conflict c : conflicts) {
            String msg = "conflict with \"" + c.manager() + "\"" + (c.apiVersion().isEmpty() ? "" : " using " + c.apiVersion());
            causes.add(new FieldError("FieldManagerConflict", c.path().display(), msg));
            lines.add(msg + ": " + c.path().display());
        }
        String head = "Apply failed with " + conflicts.size() + " conflict" + (conflicts.size() == 1 ? "" : "s") + ": ";
        return new ApiException(409, "Conflict", head + String.join("\n", lines), name, type.group(), type.plural(), causes);
    }

    /** 401 Unauthorized: no or an unknown bearer token. */
    public static ApiException unauthorized() {
        return new ApiException(401, "Unauthorized", "Unauthorized", null, null, null, List.of());
    }

    /** 500 InternalError. */
    public static ApiException internal(String message) {
        return new ApiException(500, "InternalError", "Internal error occurred: " + message, null, null, null, List.of());
    }

    /** HTTP status code. */
    public int code() {
        return code;
    }

    /** Status reason such as {@code NotFound}. */
    public String reason() {
        return reason;
    }

    /** Field errors for an Invalid status; empty otherwise. */
    public List<FieldError> causes() {
        return causes;
    }

    /** Renders the {@code kind: Status} object. */
    public ObjectNode toStatus() {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Status").put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure").put("message", getMessage()).put("reason", reason);
        if (name != null || kind != null || !causes.isEmpty()) {
            ObjectNode d = s.putObject("details");
            if (name != null) {
                d.put("name", name);
            }
            if (group != null && !group.isEmpty()) {
                d.put("group", group);
            }
            if (kind != null) {
                d.put("kind", kind);
            }
            if (!causes.isEmpty()) {
                ArrayNode c = d.putArray("causes");
                for (FieldError e : causes) {
                    c.addObject().put("reason", e.reason()).put("message", e.message()).put("field", e.field());
                }
            }
        }
        s.put("code", code);
        return s;
    }
}
