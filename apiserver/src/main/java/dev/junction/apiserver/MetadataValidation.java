package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * ObjectMeta validation after upstream {@code k8s.io/apimachinery/pkg/api/validation/objectmeta.go}
 * (ValidateObjectMeta, ValidateObjectMetaUpdate) and
 * {@code k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go} (ValidateLabels,
 * ValidateLabelSelector): name or generateName, the per-kind name rule, labels, annotations
 * (keys and 256 KiB total), and the label selectors that workloads, Services and NetworkPolicies carry.
 */
final class MetadataValidation {
    static final long TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

    private MetadataValidation() {
    }

    /** Validates {@code metadata} with {@code nameRule} (e.g. {@link Names#dns1035Label}) for the name. */
    static void objectMeta(JsonNode meta, Function<String, List<String>> nameRule, List<FieldError> errs) {
        String name = meta.path("name").asText("");
        String generateName = meta.path("generateName").asText("");
        if (name.isEmpty()) {
            if (generateName.isEmpty()) {
                errs.add(FieldError.required("metadata.name", "name or generateName is required"));
            }
        } else {
            for (String m : nameRule.apply(name)) {
                errs.add(FieldError.invalid("metadata.name", name, m));
            }
        }
        if (!generateName.isEmpty() && name.isEmpty()) {
            // upstream checks the prefix with a trailing character appended (maskTrailingDash)
            String masked = generateName.endsWith("-") ? generateName.substring(0, generateName.length() - 1) + "a"
                    : generateName;
            for (String m : nameRule.apply(masked)) {
                errs.add(FieldError.invalid("metadata.generateName", generateName, m));
            }
        }
        labels(meta.path("labels"), "metadata.labels", errs);
        annotations(meta.path("annotations"), errs);
        JsonNode finalizers = meta.path("finalizers");
        for (int i = 0; i < finalizers.size(); i++) {
            String f = finalizers.get(i).asText("");
            for (String m : Names.qualifiedName(f)) {
                errs.add(FieldError.invalid("metadata.finalizers[" + i + "]", f, m));
            }
        }
        JsonNode owners = meta.path("ownerReferences");
        for (int i = 0; i < owners.size(); i++) {
            JsonNode o = owners.get(i);
            String p = "metadata.ownerReferences[" + i + "]";
            if (o.path("apiVersion").asText("").isEmpty()) {
                errs.add(FieldError.invalid(p + ".apiVersion", "", "version must not be empty"));
            }
            if (o.path("kind").asText("").isEmpty()) {
                errs.add(FieldError.invalid(p + ".kind", "", "kind must not be empty"));
            }
            if (o.path("name").asText("").isEmpty()) {
                errs.add(FieldError.invalid(p + ".name", "", "name must not be empty"));
            }
            if (o.path("uid").asText("").isEmpty()) {
                errs.add(FieldError.invalid(p + ".uid", "", "uid must not be empty"));
            }
        }
    }

    /** ValidateLabels: qualified-name keys, label values; errors name {@code path}. */
    static void labels(JsonNode labels, String path, List<FieldError> errs) {
        if (!labels.isObject()) {
            return;
        }
        labels.properties().forEach(e -> {
            for (String m : Names.qualifiedName(e.getKey())) {
                errs.add(FieldError.invalid(path, e.getKey(), m));
            }
            String v = e.getValue().asText("");
            for (String m : Names.labelValue(v)) {
                errs.add(FieldError.invalid(path, v, m));
            }
        });
    }

    private static void annotations(JsonNode annotations, List<FieldError> errs) {
        if (!annotations.isObject()) {
            return;
        }
        long[] total = {0};
        annotations.properties().forEach(e -> {
            for (String m : Names.qualifiedName(e.getKey().toLowerCase())) {
                errs.add(FieldError.invalid("metadata.annotations", e.getKey(), m));
            }
            total[0] += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
        });
        if (total[0] > TOTAL_ANNOTATION_SIZE_LIMIT) {
            errs.add(new FieldError("FieldValueTooLong", "metadata.annotations",
                    "Too long: may not be more than " + TOTAL_ANNOTATION_SIZE_LIMIT + " bytes"));
        }
    }

    /**
     * ValidateLabelSelector: matchLabels as labels, matchExpressions with a qualified-name key, an
     * operator of In/NotIn/Exists/DoesNotExist and values present exactly for In/NotIn.
     */
    static void labelSelector(JsonNode selector, String path, List<FieldError> errs) {
        if (!selector.isObject()) {
            return;
        }
        labels(selector.path("matchLabels"), path + ".matchLabels", errs);
        JsonNode exprs = selector.path("matchExpressions");
        for (int i = 0; i < exprs.size(); i++) {
            JsonNode e = exprs.get(i);
            String p = path + ".matchExpressions[" + i + "]";
            String op = e.path("operator").asText("");
            int values = e.path("values").size();
            switch (op) {
                case "In", "NotIn" -> {
                    if (values == 0) {
                        errs.add(FieldError.required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (values > 0) {
                        errs.add(FieldError.forbidden(p + ".values",
                                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                }
                default -> errs.add(FieldError.invalid(p + ".operator", op, "not a valid selector operator"));
            }
            String key = e.path("key").asText("");
            for (String m : Names.qualifiedName(key)) {
                errs.add(FieldError.invalid(p + ".key", key, m));
            }
        }
    }
}
