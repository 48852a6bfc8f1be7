package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parsed {@code labelSelector} query parameter, following the grammar of upstream
 * {@code k8s.io/apimachinery/pkg/labels/selector.go}: comma-separated requirements {@code k=v},
 * {@code k==v}, {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}.
 * Requirements are ANDed; the empty selector matches everything.
 */
public final class LabelSelector {
    enum Op { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS }

    record Requirement(String key, Op op, Set<String> values) {
        boolean matches(JsonNode labels) {
            JsonNode v = labels.get(key);
            boolean has = v != null && !v.isNull();
            return switch (op) {
                case EXISTS -> has;
                case NOT_EXISTS -> !has;
                case EQUALS, IN -> has && values.contains(v.asText());
                case NOT_EQUALS, NOT_IN -> !has || !values.contains(v.asText());
            };
        }
    }

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of());

    private final List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    /** The selector that matches every object. */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /**
     * Parses a selector string.
     *
     * @throws ApiException 400 BadRequest naming the selector when it does not parse
     */
    public static LabelSelector parse(String selector) {
        requireNonNull(selector, "selector");
        String s = selector.trim();
        if (s.isEmpty()) {
            return EVERYTHING;
        }
        List<Requirement> out = new ArrayList<>();
        for (String term : splitTopLevel(s)) {
            out.add(parseTerm(term.trim(), selector));
        }
        return new LabelSelector(out);
    }

    /**
     * Converts a {@code metav1.LabelSelector} object ({@code matchLabels}, {@code matchExpressions})
     * as upstream {@code LabelSelectorAsSelector} does; unknown operators match nothing.
     */
    public static LabelSelector fromJson(JsonNode selector) {
        List<Requirement> out = new ArrayList<>();
        selector.path("matchLabels").properties().forEach(e ->
                out.add(new Requirement(e.getKey(), Op.EQUALS, Set.of(e.getValue().asText()))));
        for (JsonNode e : selector.path("matchExpressions")) {
            Set<String> values = new java.util.HashSet<>();
            e.path("values").forEach(v -> values.add(v.asText()));
            Op op = switch (e.path("operator").asText("")) {
                case "In" -> Op.IN;
                case "NotIn" -> Op.NOT_IN;
                case "Exists" -> Op.EXISTS;
                case "DoesNotExist" -> Op.NOT_EXISTS;
                default -> null;
            };
            out.add(op == null ? new Requirement(e.path("key").asText(""), Op.IN, Set.of())
                    : new Requirement(e.path("key").asText(""), op, values));
        }
        return new LabelSelector(out);
    }

    /** Whether the object's {@code metadata.labels} satisfy every requirement. */
    public boolean matches(JsonNode object) {
        return matchesLabels(object.path("metadata").path("labels"));
    }

    /** Whether a label map satisfies every requirement. */
    public boolean matchesLabels(JsonNode labels) {
        if (requirements.isEmpty()) {
            return true;
        }
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Whether this selector matches everything. */
    public boolean isEmpty() {
        return requirements.isEmpty();
    }

    private static List<String> splitTopLevel(String s) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(s.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(s.substring(start));
        return terms;
    }

    private static Requirement parseTerm(String t, String whole) {
        if (t.isEmpty()) {
            throw bad(whole);
        }
        if (t.startsWith("!")) {
            return new Requirement(key(t.substring(1).trim(), whole), Op.NOT_EXISTS, Set.of());
        }
        String[] words = t.split("\\s+", 3);
        if (words.length >= 2 && (words[1].equals("in") || words[1].equals("notin"))
                || t.matches("^[^=!()\\s]+\\s+(in|notin)\\s*\\(.*")) {
            int open = t.indexOf('(');
            int close = t.lastIndexOf(')');
            if (open < 0 || close < open) {
                throw bad(whole);
            }
            String head = t.substring(0, open).trim();
            int sp = head.lastIndexOf(' ');
            String key = key(head.substring(0, sp).trim(), whole);
            Op op = head.substring(sp + 1).equals("in") ? Op.IN : Op.NOT_IN;
            Set<String> values = new java.util.HashSet<>();
            for (String v : t.substring(open + 1, close).split(",")) {
                values.add(v.trim());
            }
            return new Requirement(key, op, values);
        }
        int ne = t.indexOf("!=");
        if (ne > 0) {
            return new Requirement(key(t.substring(0, ne).trim(), whole), Op.NOT_EQUALS, Set.of(t.substring(ne + 2).trim()));
        }
        int eq = t.indexOf("==");
        if (eq > 0) {
            return new Requirement(key(t.substring(0, eq).trim(), whole), Op.EQUALS, Set.of(t.substring(eq + 2).trim()));
        }
        int e = t.indexOf('=');
        if (e > 0) {
            return new Requirement(key(t.substring(0, e).trim(), whole), Op.EQUALS, Set.of(t.substring(e + 1).trim()));
        }
        return new Requirement(key(t, whole), Op.EXISTS, Set.of());
    }

    private static String key(String k, String whole) {
        if (k.isEmpty() || !k.matches("[A-Za-z0-9._/-]+")) {
            throw bad(whole);
        }
        return k;
    }

    private static ApiException bad(String whole) {
        return ApiException.badRequest("unable to parse requirement: invalid label selector: \"" + whole + "\"");
    }
}
