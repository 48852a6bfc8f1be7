package dev.junction.apiserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.Optional;

/** Shared Jackson mappers and small helpers for walking JSON object trees. */
public final class Json {
    /** The JSON mapper every class uses (trees built with {@link CompactNodeFactory}). */
    public static final ObjectMapper MAPPER = new ObjectMapper().setNodeFactory(CompactNodeFactory.INSTANCE);
    private static final ObjectMapper YAML = new YAMLMapper().setNodeFactory(CompactNodeFactory.INSTANCE);

    private Json() {
    }

    /**
     * Parses a request body as a JSON object (YAML accepted when {@code yaml} is true).
     *
     * @throws ApiException 400 BadRequest when the body is not an object
     */
    public static ObjectNode parseObject(byte[] body, boolean yaml) {
        try {
            JsonNode n = (yaml ? YAML : MAPPER).readTree(body);
            if (n == null || !n.isObject()) {
                throw ApiException.badRequest("the body of the request was in an unknown format - expected an object");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw ApiException.badRequest("the body of the request was in an unknown format: " + e.getMessage());
        }
    }

    /** Parses any JSON value (for JSON patches). */
    public static JsonNode parse(byte[] body) {
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("error decoding patch: " + e.getMessage());
        }
    }

    /**
     * Serialises to compact JSON bytes; a stored object whose encoding the storage remembered
     * ({@link EncodedObjects}) is not serialised again. The array must not be written to.
     */
    public static byte[] bytes(JsonNode node) {
        byte[] known = EncodedObjects.lookup(node);
        if (known != null) {
            return known;
        }
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Serialises to a compact JSON string. */
    public static String string(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text at a dotted path such as {@code metadata.name}; empty when absent or not text. */
    public static Optional<String> text(JsonNode node, String dottedPath) {
        JsonNode n = at(node, dottedPath);
        return n.isValueNode() && !n.isNull() ? Optional.of(n.asText()) : Optional.empty();
    }

    /** The node at a dotted path, or a MissingNode. */
    public static JsonNode at(JsonNode node, String dottedPath) {
        JsonNode n = node;
        for (String p : dottedPath.split("\\.")) {
            n = n.path(p);
        }
        return n;
    }

    /** The object at {@code key}, created when absent or not an object. */
    public static ObjectNode obj(ObjectNode parent, String key) {
        JsonNode n = parent.get(key);
        if (n instanceof ObjectNode o) {
            return o;
        }
        return parent.putObject(key);
    }

    /** {@code metadata} of an object, created when absent. */
    public static ObjectNode meta(ObjectNode object) {
        return obj(object, "metadata");
    }
}
