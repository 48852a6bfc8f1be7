package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Field ownership for server-side apply, after upstream {@code sigs.k8s.io/structured-merge-diff}
 * and {@code k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager}: every write records, in
 * {@code metadata.managedFields}, which manager set which fields ({@code fieldsType: FieldsV1},
 * {@code f:<field>} for map keys, {@code k:{...}} for list items identified by their merge key,
 * {@code v:<value>} for set members; other lists are atomic). An Update takes the fields it changed
 * from every other manager; an Apply owns exactly the fields of its configuration, conflicts when
 * another manager owns a field it would change (unless forced) and removes the fields it applied
 * before and no longer applies when nobody else owns them.
 */
final class ManagedFields {
    /** One field path, e.g. {@code [f:spec, k:{"port":80,"protocol":"TCP"}, f:targetPort]}. */
    record Path(List<String> elements) implements Comparable<Path> {
        @Override
        public int compareTo(Path o) {
            // element by element, a path before its extensions: the order of the joined strings
            // without building them (this runs for every field of every write)
            int n = Math.min(elements.size(), o.elements.size());
            for (int i = 0; i < n; i++) {
                int c = elements.get(i).compareTo(o.elements.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(elements.size(), o.elements.size());
        }

        /** {@code .spec.ports[port=80,protocol="TCP"].targetPort}, the way upstream names conflicts. */
        String display() {
            StringBuilder sb = new StringBuilder();
            for (String e : elements) {
                if (e.startsWith("f:")) {
                    sb.append('.').append(e.substring(2));
                } else if (e.startsWith("k:")) {
                    JsonNode k = parse(e.substring(2));
                    List<String> parts = new ArrayList<>();
                    k.properties().forEach(p -> parts.add(p.getKey() + "=" + p.getValue()));
                    sb.append('[').append(String.join(",", parts)).append(']');
                } else {
                    sb.append('[').append(e).append(']');
                }
            }
            return sb.toString();
        }
    }

    /** A conflict: the path and the manager that owns it. */
    record Conflict(String manager, String apiVersion, Path path) {
    }

    /** Lists merged by key ({@code property → key fields}); {@code []} marks a set of scalars. */
    private static final Map<String, List<String>> KEYS = Map.ofEntries(
            Map.entry("containers", List.of("name")), Map.entry("initContainers", List.of("name")),
            Map.entry("ephemeralContainers", List.of("name")), Map.entry("env", List.of("name")),
            Map.entry("volumes", List.of("name")), Map.entry("volumeMounts", List.of("mountPath")),
            Map.entry("imagePullSecrets", List.of("name")), Map.entry("hostAliases", List.of("ip")),
            Map.entry("ownerReferences", List.of("uid")), Map.entry("conditions", List.of("type")),
            Map.entry("finalizers", List.of()));
    private static final Set<String> IGNORED_META = Set.of("name", "namespace", "uid", "resourceVersion", "generation",
            "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink", "generateName");

    private ManagedFields() {
    }

    /** The field paths an object sets (spec-like content and metadata labels/annotations/finalizers/ownerReferences). */
    static TreeSet<Path> fieldsOf(JsonNode obj) {
        TreeSet<Path> out = new TreeSet<>();
        obj.properties().forEach(e -> {
            if (e.getKey().equals("apiVersion") || e.getKey().equals("kind") || e.getKey().equals("status")) {
                return;
            }
            if (e.getKey().equals("metadata")) {
                e.getValue().properties().forEach(m -> {
                    if (!IGNORED_META.contains(m.getKey())) {
                        walk(m.getKey(), m.getValue(), List.of("f:metadata", "f:" + m.getKey()), out);
                    }
                });
                return;
            }
            walk(e.getKey(), e.getValue(), List.of("f:" + e.getKey()), out);
        });
        return out;
    }

    private static void walk(String property, JsonNode v, List<String> path, TreeSet<Path> out) {
        if (v.isObject() && v.size() > 0) {
            v.properties().forEach(e -> walk(e.getKey(), e.getValue(), append(path, "f:" + e.getKey()), out));
            return;
        }
        if (v.isArray() && v.size() > 0 && KEYS.containsKey(property) || property.equals("ports") && v.isArray()
                && v.size() > 0 && v.get(0).isObject()) {
            for (JsonNode item : v) {
                String key = itemKey(property, item);
                List<String> p = append(path, key);
                out.add(new Path(append(p, ".")));
                if (item.isObject()) {
                    item.properties().forEach(e -> walk(e.getKey(), e.getValue(), append(p, "f:" + e.getKey()), out));
                }
            }
            return;
        }
        out.add(new Path(path));
    }

    private static String itemKey(String property, JsonNode item) {
        if (!item.isObject()) {
            return "v:" + item;
        }
        // {"port":80,"protocol":"TCP"} as Jackson writes it, without building and serialising a node
        List<String> keys = property.equals("ports")
                ? item.has("containerPort") ? PORT_KEYS_CONTAINER : PORT_KEYS
                : KEYS.get(property);
        StringBuilder sb = new StringBuilder("k:{");
        boolean first = true;
        for (String f : keys) {
            JsonNode v = f.equals("protocol") ? null : item.get(f);
            if (!f.equals("protocol") && v == null) {
                continue;
            }
            sb.append(first ? "" : ",").append('"').append(f).append("\":");
            first = false;
            if (v == null) {
                quote(sb, item.path("protocol").asText("TCP"));
            } else if (v.isTextual()) {
                quote(sb, v.textValue());
            } else if (v.isInt() || v.isLong()) {
                sb.append(v.longValue());
            } else {
                sb.append(Json.string(v));
            }
        }
        return sb.append('}').toString();
    }

    private static final List<String> PORT_KEYS = List.of("port", "protocol");
    private static final List<String> PORT_KEYS_CONTAINER = List.of("containerPort", "protocol");

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s, sb);
        sb.append('"');
    }

    /** The value at a path, or a MissingNode. */
    static JsonNode valueAt(JsonNode obj, Path path) {
        JsonNode n = obj;
        for (String e : path.elements()) {
            if (e.equals(".")) {
                continue;
            }
            if (e.startsWith("f:")) {
                n = n.path(e.substring(2));
            } else if (e.startsWith("k:") || e.startsWith("v:")) {
                JsonNode want = parse(e.substring(2));
                JsonNode found = Json.MAPPER.missingNode();
                for (JsonNode item : n) {
                    if (e.startsWith("v:") ? item.equals(want) : matches(item, want)) {
                        found = item;
                        break;
                    }
                }
                n = found;
            }
            if (n.isMissingNode()) {
                return n;
            }
        }
        return n;
    }

    /** Removes the field (or list item) at {@code path} from {@code obj}. */
    static void remove(JsonNode obj, Path path) {
        List<String> els = path.elements();
        List<String> parentPath = els.get(els.size() - 1).equals(".") ? els.subList(0, els.size() - 1) : els;
        if (parentPath.isEmpty()) {
            return;
        }
        JsonNode parent = valueAt(obj, new Path(parentPath.subList(0, parentPath.size() - 1)));
        String last = parentPath.get(parentPath.size() - 1);
        if (last.startsWith("f:") && parent instanceof ObjectNode o) {
            o.remove(last.substring(2));
        } else if (parent instanceof ArrayNode a) {
            JsonNode want = parse(last.substring(2));
            for (Iterator<JsonNode> it = a.iterator(); it.hasNext();) {
                JsonNode item = it.next();
                if (last.startsWith("v:") ? item.equals(want) : matches(item, want)) {
                    it.remove();
                }
            }
        }
    }

    /** Reads {@code metadata.managedFields} as (manager, operation) → entry with its path set. */
    static Map<String, Entry> read(JsonNode obj) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (JsonNode e : obj.path("metadata").path("managedFields")) {
            TreeSet<Path> paths = new TreeSet<>();
            flatten(e.path("fieldsV1"), new ArrayList<>(), paths);
            Entry entry = new Entry(e.path("manager").asText(""), e.path("operation").asText("Update"),
                    e.path("apiVersion").asText(""), e.path("time").asText(""), e.path("subresource").asText(""), paths);
            out.put(entry.id(), entry);
        }
        return out;
    }

    /** One managedFields entry. */
    record Entry(String manager, String operation, String apiVersion, String time, String subresource, TreeSet<Path> paths) {
        String id() {
            return manager + "\u0000" + operation + "\u0000" + subresource;
        }
    }

    /**
     * Records an Update by {@code manager} from {@code old} (MissingNode on create) to {@code obj}:
     * the changed paths move to the manager; paths that no longer exist are dropped everywhere.
     */
    static void recordUpdate(ObjectNode obj, JsonNode old, String manager, String apiVersion, String subresource) {
        Map<String, Entry> entries = read(old);
        TreeSet<Path> now = fieldsOf(obj);
        TreeSet<Path> changed = new TreeSet<>();
        for (Path p : now) {
            if (!valueAt(old, p).equals(valueAt(obj, p))) {
                changed.add(p);
            }
        }
        for (Entry e : entries.values()) {
            e.paths().retainAll(now);
            e.paths().removeAll(changed);
        }
        if (!changed.isEmpty()) {
            Entry mine = entries.computeIfAbsent(manager + "\u0000Update\u0000" + subresource,
                    k -> new Entry(manager, "Update", apiVersion, "", subresource, new TreeSet<>()));
            mine.paths().addAll(changed);
            entries.put(mine.id(), new Entry(manager, "Update", apiVersion, now(), subresource, mine.paths()));
        }
        write(obj, entries);
    }

    /** Records a create by {@code manager}: it owns the fields of its request that the stored object has. */
    static void recordCreate(ObjectNode obj, JsonNode body, String manager, String apiVersion) {
        TreeSet<Path> paths = fieldsOf(body);
        paths.retainAll(fieldsOf(obj));
        Map<String, Entry> entries = new LinkedHashMap<>();
        Entry e = new Entry(manager, "Update", apiVersion, now(), "", paths);
        entries.put(e.id(), e);
        write(obj, entries);
    }

    /**
     * Server-side apply of {@code applied} by {@code manager} onto {@code merged} (the live object
     * with the configuration already merged in), given the live object {@code live}.
     *
     * @return conflicts (nothing is changed then), empty when applied
     */
    static List<Conflict> recordApply(ObjectNode merged, JsonNode live, JsonNode applied, String manager, String apiVersion,
            boolean force) {
        Map<String, Entry> entries = read(live);
        TreeSet<Path> appliedPaths = fieldsOf(applied);
        List<Conflict> conflicts = new ArrayList<>();
        String mineId = manager + "\u0000Apply\u0000";
        for (Entry e : entries.values()) {
            if (e.id().equals(mineId)) {
                continue;
            }
            for (Path p : e.paths()) {
                if (appliedPaths.contains(p) && !p.elements().get(p.elements().size() - 1).equals(".")
                        && !valueAt(live, p).equals(valueAt(applied, p))) {
                    conflicts.add(new Conflict(e.manager(), e.apiVersion(), p));
                }
            }
        }
        if (!conflicts.isEmpty() && !force) {
            return conflicts;
        }
        TreeSet<Path> previous = entries.containsKey(mineId) ? entries.get(mineId).paths() : new TreeSet<>();
        TreeSet<Path> others = new TreeSet<>();
        for (Entry e : entries.values()) {
            if (!e.id().equals(mineId)) {
                e.paths().removeAll(appliedPaths);
                others.addAll(e.paths());
            }
        }
        for (Path p : previous.descendingSet()) {
            if (!appliedPaths.contains(p) && !others.contains(p)) {
                remove(merged, p);
            }
        }
        String time = entries.containsKey(mineId) && previous.equals(appliedPaths) ? entries.get(mineId).time() : now();
        entries.put(mineId, new Entry(manager, "Apply", apiVersion, time, "", appliedPaths));
        TreeSet<Path> present = fieldsOf(merged);
        for (Entry e : entries.values()) {
            e.paths().retainAll(present);
        }
        write(merged, entries);
        return List.of();
    }

    private static void write(ObjectNode obj, Map<String, Entry> entries) {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        for (Entry e : entries.values()) {
            if (e.paths().isEmpty()) {
                continue;
            }
            ObjectNode n = arr.addObject();
            n.put("manager", e.manager()).put("operation", e.operation()).put("apiVersion", e.apiVersion())
                    .put("time", e.time()).put("fieldsType", "FieldsV1");
            ObjectNode tree = n.putObject("fieldsV1");
            for (Path p : e.paths()) {
                ObjectNode cur = tree;
                for (String el : p.elements()) {
                    cur = cur.has(el) ? (ObjectNode) cur.get(el) : cur.putObject(el);
                }
            }
            if (!e.subresource().isEmpty()) {
                n.put("subresource", e.subresource());
            }
        }
        if (arr.isEmpty()) {
            Json.meta(obj).remove("managedFields");
        } else {
            Json.meta(obj).set("managedFields", arr);
        }
    }

    private static void flatten(JsonNode tree, List<String> prefix, TreeSet<Path> out) {
        if (!tree.isObject()) {
            return;
        }
        if (tree.isEmpty() && !prefix.isEmpty()) {
            out.add(new Path(List.copyOf(prefix)));
            return;
        }
        tree.properties().forEach(e -> {
            prefix.add(e.getKey());
            flatten(e.getValue(), prefix, out);
            prefix.remove(prefix.size() - 1);
        });
    }

    private static boolean matches(JsonNode item, JsonNode key) {
        for (Iterator<Map.Entry<String, JsonNode>> it = key.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = item.path(e.getKey());
            if (e.getKey().equals("protocol") && v.isMissingNode()) {
                v = Json.MAPPER.getNodeFactory().textNode("TCP");
            }
            if (!v.equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            return Json.MAPPER.getNodeFactory().textNode(s);
        }
    }

    private static List<String> append(List<String> path, String el) {
        List<String> out = new ArrayList<>(path);
        out.add(el);
        return out;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
