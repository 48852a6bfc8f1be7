package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Strategic merge patch ({@code application/strategic-merge-patch+json}) for the built-in types,
 * after upstream {@code k8s.io/apimachinery/pkg/util/strategicpatch/patch.go}: maps merge as in a
 * JSON merge patch; lists whose Go field carries {@code patchStrategy:"merge"} merge element-wise by
 * their {@code patchMergeKey} (containers by name, container ports by containerPort, service ports
 * by port, env by name, volumeMounts by mountPath, conditions by type, …) or, for primitive lists
 * such as finalizers, as a union; other lists are replaced. Directives: {@code $patch}
 * (replace/delete/merge), {@code $setElementOrder/<field>}, {@code $retainKeys} and
 * {@code $deleteFromPrimitiveList/<field>}. The merge keys come from a field-name table rather than
 * from OpenAPI, so a field name shared by two types resolves by the element's keys.
 */
public final class StrategicMergePatch {
    private static final Map<String, List<String>> MERGE_KEYS = Map.ofEntries(
            Map.entry("containers", List.of("name")),
            Map.entry("initContainers", List.of("name")),
            Map.entry("ephemeralContainers", List.of("name")),
            Map.entry("ports", List.of("containerPort", "port")),
            Map.entry("env", List.of("name")),
            Map.entry("volumes", List.of("name")),
            Map.entry("volumeMounts", List.of("mountPath")),
            Map.entry("volumeDevices", List.of("devicePath")),
            Map.entry("imagePullSecrets", List.of("name")),
            Map.entry("hostAliases", List.of("ip")),
            Map.entry("conditions", List.of("type")),
            Map.entry("ownerReferences", List.of("uid")),
            Map.entry("taints", List.of("key")),
            Map.entry("addresses", List.of("type")),
            Map.entry("topologySpreadConstraints", List.of("topologyKey")),
            Map.entry("resourceClaims", List.of("name")),
            Map.entry("secrets", List.of("name")));
    private static final Set<String> PRIMITIVE_MERGE = Set.of("finalizers");

    private StrategicMergePatch() {
    }

    /** Applies {@code patch} to {@code target} (which is modified) and returns the result. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        if (target == null || !target.isObject()) {
            return mergeMap(Json.MAPPER.createObjectNode(), (ObjectNode) patch);
        }
        return mergeMap((ObjectNode) target, (ObjectNode) patch);
    }

    private static ObjectNode mergeMap(ObjectNode target, ObjectNode patch) {
        String directive = patch.path("$patch").asText("");
        if (directive.equals("replace")) {
            ObjectNode replaced = patch.deepCopy();
            replaced.remove("$patch");
            return stripDirectives(replaced);
        }
        if (directive.equals("delete")) {
            return Json.MAPPER.createObjectNode();
        }
        JsonNode retain = patch.get("$retainKeys");
        Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.equals("$patch") || key.equals("$retainKeys") || key.startsWith("$setElementOrder/")) {
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String field = key.substring("$deleteFromPrimitiveList/".length());
                if (target.get(field) instanceof ArrayNode arr) {
                    Set<JsonNode> drop = new HashSet<>();
                    value.forEach(drop::add);
                    ArrayNode kept = Json.MAPPER.createArrayNode();
                    arr.forEach(v -> {
                        if (!drop.contains(v)) {
                            kept.add(v);
                        }
                    });
                    target.set(field, kept);
                }
                continue;
            }
            if (value.isNull()) {
                target.remove(key);
            } else if (value.isObject()) {
                target.set(key, mergeMap(target.get(key) instanceof ObjectNode o ? o : Json.MAPPER.createObjectNode(),
                        (ObjectNode) value));
            } else if (value.isArray()) {
                target.set(key, mergeList(key, target.get(key), (ArrayNode) value));
            } else {
                target.set(key, value.deepCopy());
            }
        }
        if (retain != null && retain.isArray()) {
            Set<String> keep = new HashSet<>();
            retain.forEach(k -> keep.add(k.asText()));
            target.properties().removeIf(e -> !keep.contains(e.getKey()));
        }
        for (Iterator<String> names = patch.fieldNames(); names.hasNext();) {
            String n = names.next();
            if (n.startsWith("$setElementOrder/")) {
                JsonNode order = patch.get(n);
                String field = n.substring("$setElementOrder/".length());
                if (target.get(field) instanceof ArrayNode arr) {
                    target.set(field, reorder(field, arr, order));
                }
            }
        }
        return target;
    }

    private static JsonNode mergeList(String field, JsonNode current, ArrayNode patch) {
        boolean objects = patch.size() > 0 && patch.get(0).isObject();
        if (PRIMITIVE_MERGE.contains(field) && !objects) {
            ArrayNode out = current instanceof ArrayNode a ? a.deepCopy() : Json.MAPPER.createArrayNode();
            Set<JsonNode> have = new HashSet<>();
            out.forEach(have::add);
            patch.forEach(v -> {
                if (have.add(v)) {
                    out.add(v);
                }
            });
            return out;
        }
        Optional<String> mergeKey = objects ? mergeKey(field, patch) : Optional.empty();
        if (mergeKey.isEmpty() || !(current instanceof ArrayNode cur)) {
            ArrayNode replaced = Json.MAPPER.createArrayNode();
            for (JsonNode v : patch) {
                if (v.isObject() && !v.path("$patch").asText("").isEmpty()) {
                    continue;
                }
                replaced.add(v.isObject() ? stripDirectives(((ObjectNode) v).deepCopy()) : v.deepCopy());
            }
            return replaced;
        }
        String key = mergeKey.get();
        ArrayNode out = cur.deepCopy();
        for (JsonNode p : patch) {
            if (!p.isObject()) {
                continue;
            }
            if (p.path("$patch").asText("").equals("replace")) {
                return mergeList(field, Json.MAPPER.createArrayNode(), withoutDirectiveElements(patch));
            }
            JsonNode id = p.get(key);
            int idx = indexOf(out, key, id);
            if (p.path("$patch").asText("").equals("delete")) {
                if (idx >= 0) {
                    out.remove(idx);
                }
            } else if (idx >= 0) {
                out.set(idx, mergeMap((ObjectNode) out.get(idx), (ObjectNode) p));
            } else {
                out.add(stripDirectives(((ObjectNode) p).deepCopy()));
            }
        }
        return out;
    }

    private static ArrayNode withoutDirectiveElements(ArrayNode patch) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        patch.forEach(v -> {
            if (!v.isObject() || v.path("$patch").asText("").isEmpty()) {
                out.add(v);
            }
        });
        return out;
    }

    private static ArrayNode reorder(String field, ArrayNode list, JsonNode order) {
        if (!order.isArray() || list.isEmpty()) {
            return list;
        }
        List<JsonNode> remaining = new ArrayList<>();
        list.forEach(remaining::add);
        ArrayNode out = Json.MAPPER.createArrayNode();
        Optional<String> key = list.get(0).isObject() ? mergeKey(field, list) : Optional.empty();
        for (JsonNode o : order) {
            for (Iterator<JsonNode> it = remaining.iterator(); it.hasNext();) {
                JsonNode v = it.next();
                boolean same = key.isPresent() ? v.path(key.get()).equals(o.path(key.get())) : v.equals(o);
                if (same) {
                    out.add(v);
                    it.remove();
                    break;
                }
            }
        }
        remaining.forEach(out::add);
        return out;
    }

    private static Optional<String> mergeKey(String field, ArrayNode elements) {
        List<String> keys = MERGE_KEYS.get(field);
        if (keys == null) {
            return Optional.empty();
        }
        for (String k : keys) {
            boolean all = true;
            for (JsonNode e : elements) {
                if (!e.has(k)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    private static int indexOf(ArrayNode list, String key, JsonNode id) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).path(key).equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static <T extends JsonNode> T stripDirectives(T node) {
        if (node instanceof ObjectNode o) {
            o.properties().removeIf(e -> e.getKey().startsWith("$"));
            o.properties().forEach(e -> stripDirectives(e.getValue()));
        } else if (node instanceof ArrayNode a) {
            a.forEach(StrategicMergePatch::stripDirectives);
        }
        return node;
    }
}
