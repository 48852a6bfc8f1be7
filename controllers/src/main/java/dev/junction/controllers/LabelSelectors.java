package dev.junction.controllers;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.Map;

/**
 * Label selector matching as upstream apimachinery {@code labels.Selector}: a map selector (Service)
 * matches when every pair is present; a {@link LabelSelector} also evaluates {@code In}, {@code NotIn},
 * {@code Exists} and {@code DoesNotExist}. An empty {@link LabelSelector} matches everything; a null one
 * matches nothing.
 */
final class LabelSelectors {
    private LabelSelectors() {
    }

    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        Map<String, String> actual = labels == null ? Map.of() : labels;
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(actual.get(e.getKey())));
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> actual = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null && !matches(selector.getMatchLabels(), actual)) {
            return false;
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
                String value = actual.get(r.getKey());
                boolean ok = switch (r.getOperator()) {
                    case "In" -> value != null && r.getValues().contains(value);
                    case "NotIn" -> value == null || !r.getValues().contains(value);
                    case "Exists" -> actual.containsKey(r.getKey());
                    case "DoesNotExist" -> !actual.containsKey(r.getKey());
                    default -> false;
                };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
