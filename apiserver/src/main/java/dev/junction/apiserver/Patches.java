package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * PATCH bodies: JSON merge patch (RFC 7386, {@code application/merge-patch+json}) and JSON patch
 * (RFC 6902, {@code application/json-patch+json}); strategic merge patch
 * ({@code application/strategic-merge-patch+json}) is delegated to {@link StrategicMergePatch}.
 * For server-side apply ({@code application/apply-patch+yaml}) the applied configuration is
 * strategically merged into the live object here; ownership, conflicts and the removal of fields a
 * manager stopped applying are {@link ManagedFields}'s job.
 */
public final class Patches {
    private Patches() {
    }

    /**
     * Applies a patch of the given content type to a copy of {@code target}.
     *
     * @throws ApiException 400 BadRequest for unknown patch types and patches that do not apply
     */
    public static ObjectNode apply(String contentType, ObjectNode target, byte[] body) {
        String ct = contentType.toLowerCase(java.util.Locale.ROOT);
        if (ct.startsWith("application/json-patch+json")) {
            JsonNode ops = Json.parse(body);
            JsonNode result = jsonPatch(target.deepCopy(), ops);
            if (!result.isObject()) {
                throw ApiException.badRequest("patch result is not an object");
            }
            return (ObjectNode) result;
        }
        if (ct.startsWith("application/strategic-merge-patch+json")) {
            JsonNode result = StrategicMergePatch.apply(target.deepCopy(), Json.parse(body));
            if (!result.isObject()) {
                throw ApiException.badRequest("patch result is not an object");
            }
            return (ObjectNode) result;
        }
        if (ct.startsWith("application/merge-patch+json")) {
            JsonNode patch = Json.parse(body);
            JsonNode result = mergePatch(target.deepCopy(), patch);
            if (!result.isObject()) {
                throw ApiException.badRequest("patch result is not an object");
            }
            return (ObjectNode) result;
        }
        if (ct.startsWith("application/apply-patch")) {
            // server-side apply without field management: the applied configuration is merged in
            // like a strategic merge patch (fields it omits are kept, never removed)
            JsonNode result = StrategicMergePatch.apply(target.deepCopy(), Json.parseObject(body, true));
            return (ObjectNode) result;
        }
        throw ApiException.badRequest("unsupported patch content type: " + contentType);
    }

    /** RFC 7386 merge of {@code patch} into {@code target} (which may be modified). */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : Json.MAPPER.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /** RFC 6902: add, remove, replace, move, copy, test. */
    public static JsonNode jsonPatch(JsonNode document, JsonNode operations) {
        if (!operations.isArray()) {
            throw ApiException.badRequest("json patch must be an array of operations");
        }
        JsonNode doc = document;
        for (JsonNode op : operations) {
            String kind = op.path("op").asText();
            String path = op.path("path").asText();
            switch (kind) {
                case "add" -> doc = add(doc, path, op.path("value").deepCopy());
                case "remove" -> {
                    get(doc, path);
                    doc = remove(doc, path);
                }
                case "replace" -> {
                    get(doc, path);
                    doc = add(remove(doc, path), path, op.path("value").deepCopy());
                }
                case "move" -> {
                    String from = op.path("from").asText();
                    JsonNode v = get(doc, from);
                    doc = add(remove(doc, from), path, v);
                }
                case "copy" -> doc = add(doc, path, get(doc, op.path("from").asText()).deepCopy());
                case "test" -> {
                    if (!get(doc, path).equals(op.path("value"))) {
                        throw ApiException.badRequest("jsonpatch: testing value " + path + " failed");
                    }
                }
                default -> throw ApiException.badRequest("unexpected json patch operation: \"" + kind + "\"");
            }
        }
        return doc;
    }

    private static List<String> tokens(String pointer) {
        if (pointer.isEmpty()) {
            return List.of();
        }
        if (!pointer.startsWith("/")) {
            throw ApiException.badRequest("invalid JSON pointer: \"" + pointer + "\"");
        }
        List<String> out = new ArrayList<>();
        for (String t : pointer.substring(1).split("/", -1)) {
            out.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static JsonNode get(JsonNode doc, String pointer) {
        JsonNode n = doc;
        for (String t : tokens(pointer)) {
            n = n.isArray() ? n.path(index(t, n.size() - 1)) : n.get(t);
            if (n == null || n.isMissingNode()) {
                throw ApiException.badRequest("jsonpatch: path not found: " + pointer);
            }
        }
        return n;
    }

    private static JsonNode parent(JsonNode doc, List<String> t, String pointer) {
        JsonNode n = doc;
        for (int i = 0; i < t.size() - 1; i++) {
            n = n.isArray() ? n.path(index(t.get(i), n.size() - 1)) : n.get(t.get(i));
            if (n == null || n.isMissingNode()) {
                throw ApiException.badRequest("jsonpatch: path not found: " + pointer);
            }
        }
        return n;
    }

    private static JsonNode add(JsonNode doc, String pointer, JsonNode value) {
        List<String> t = tokens(pointer);
        if (t.isEmpty()) {
            return value;
        }
        JsonNode p = parent(doc, t, pointer);
        String last = t.get(t.size() - 1);
        if (p instanceof ObjectNode o) {
            o.set(last, value);
        } else if (p instanceof ArrayNode a) {
            if (last.equals("-")) {
                a.add(value);
            } else {
                a.insert(index(last, a.size()), value);
            }
        } else {
            throw ApiException.badRequest("jsonpatch: cannot add to a scalar at " + pointer);
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String pointer) {
        List<String> t = tokens(pointer);
        JsonNode p = parent(doc, t, pointer);
        String last = t.get(t.size() - 1);
        if (p instanceof ObjectNode o) {
            o.remove(last);
        } else if (p instanceof ArrayNode a) {
            a.remove(index(last, a.size() - 1));
        }
        return doc;
    }

    private static int index(String token, int max) {
        try {
            int i = Integer.parseInt(token);
            if (i < 0 || i > max) {
                throw ApiException.badRequest("jsonpatch: index out of bounds: " + token);
            }
            return i;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("jsonpatch: invalid array index: " + token);
        }
    }
}
