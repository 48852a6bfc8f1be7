package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A parsed {@code fieldSelector}: comma-separated {@code field=value}, {@code field==value} and
 * {@code field!=value} terms (upstream {@code k8s.io/apimachinery/pkg/fields/selector.go}). Supported
 * fields are {@code metadata.name}, {@code metadata.namespace} for every resource and, for pods,
 * {@code spec.nodeName} and {@code status.phase} (upstream {@code pkg/registry/core/pod/strategy.go}
 * ToSelectableFields). Unknown fields are a 400 BadRequest, as upstream.
 */
public final class FieldSelector {
    private static final Set<String> COMMON = Set.of("metadata.name", "metadata.namespace");
    private static final Set<String> POD = Set.of("spec.nodeName", "status.phase", "spec.restartPolicy",
            "spec.schedulerName", "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName");
    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private record Term(String field, boolean equals, String value) {
    }

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    /** The selector that matches every object. */
    public static FieldSelector everything() {
        return EVERYTHING;
    }

    /**
     * Parses a selector for the given resource.
     *
     * @throws ApiException 400 BadRequest on syntax errors or unsupported fields
     */
    public static FieldSelector parse(String selector, ResourceType type) {
        requireNonNull(selector, "selector");
        requireNonNull(type, "type");
        if (selector.isBlank()) {
            return EVERYTHING;
        }
        List<Term> out = new ArrayList<>();
        for (String t : selector.split(",")) {
            String s = t.trim();
            int ne = s.indexOf("!=");
            int eq2 = s.indexOf("==");
            int eq = s.indexOf('=');
            Term term;
            if (ne > 0) {
                term = new Term(s.substring(0, ne).trim(), false, s.substring(ne + 2).trim());
            } else if (eq2 > 0) {
                term = new Term(s.substring(0, eq2).trim(), true, s.substring(eq2 + 2).trim());
            } else if (eq > 0) {
                term = new Term(s.substring(0, eq).trim(), true, s.substring(eq + 1).trim());
            } else {
                throw ApiException.badRequest("invalid field selector: \"" + selector + "\"");
            }
            boolean supported = COMMON.contains(term.field) || type == Resources.PODS && POD.contains(term.field)
                    || type == Resources.EVENTS || type == Resources.SECRETS && term.field.equals("type");
            if (!supported) {
                throw ApiException.badRequest("field label not supported: " + term.field);
            }
            out.add(term);
        }
        return new FieldSelector(out);
    }

    /** Whether the object satisfies every term; a missing field compares as the empty string. */
    public boolean matches(JsonNode object) {
        for (Term t : terms) {
            String actual = Json.text(object, t.field).orElse("");
            if (actual.equals(t.value) != t.equals) {
                return false;
            }
        }
        return true;
    }

    /** The single exact {@code metadata.name} this selector pins, if any (kubectl uses it for one-object watches). */
    public java.util.Optional<String> exactName() {
        return terms.stream().filter(t -> t.equals && t.field.equals("metadata.name")).map(Term::value).findFirst();
    }

    /** Whether this selector matches everything. */
    public boolean isEmpty() {
        return terms.isEmpty();
    }
}
