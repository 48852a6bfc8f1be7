package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * apps/v1 Deployment and ReplicaSet validation after upstream
 * {@code pkg/apis/apps/validation/validation.go}: ValidateDeploymentSpec (selector required and
 * non-empty, matching template labels, replicas ≥ 0, template restartPolicy Always, strategy,
 * rollingUpdate maxSurge/maxUnavailable, progressDeadlineSeconds > minReadySeconds) and
 * ValidateDeploymentUpdate / ValidateReplicaSetUpdate (apps/v1 selectors are immutable).
 */
final class AppsValidation {
    private AppsValidation() {
    }

    /** ValidateDeployment ({@code deployment} false: ValidateReplicaSet). */
    static void workload(JsonNode object, boolean deployment, List<FieldError> errs) {
        MetadataValidation.objectMeta(object.path("metadata"), Names::dns1123Subdomain, errs);
        JsonNode spec = object.path("spec");
        JsonNode selector = spec.path("selector");
        String kind = deployment ? "deployment" : "replicaset";
        if (!selector.isObject()) {
            errs.add(FieldError.required("spec.selector", ""));
        } else {
            MetadataValidation.labelSelector(selector, "spec.selector", errs);
            if (selector.path("matchLabels").size() == 0 && selector.path("matchExpressions").size() == 0) {
                errs.add(FieldError.invalid("spec.selector", selector, "empty selector is invalid for " + kind));
            } else if (!LabelSelector.fromJson(selector).matchesLabels(spec.path("template").path("metadata").path("labels"))) {
                errs.add(FieldError.invalid("spec.template.metadata.labels", spec.path("template").path("metadata").path("labels"),
                        "`selector` does not match template `labels`"));
            }
        }
        nonNegative(spec, "replicas", errs);
        nonNegative(spec, "minReadySeconds", errs);
        JsonNode template = spec.path("template");
        MetadataValidation.labels(template.path("metadata").path("labels"), "spec.template.metadata.labels", errs);
        PodValidation.podSpec(template.path("spec"), "spec.template.spec", errs);
        String restart = template.path("spec").path("restartPolicy").asText("");
        if (!restart.isEmpty() && !restart.equals("Always")) {
            errs.add(FieldError.notSupported("spec.template.spec.restartPolicy", restart, List.of("Always")));
        }
        if (deployment) {
            strategy(spec.path("strategy"), errs);
            nonNegative(spec, "revisionHistoryLimit", errs);
            JsonNode pds = spec.path("progressDeadlineSeconds");
            if (pds.isIntegralNumber()) {
                nonNegative(spec, "progressDeadlineSeconds", errs);
                if (pds.asLong() <= spec.path("minReadySeconds").asLong(0)) {
                    errs.add(FieldError.invalid("spec.progressDeadlineSeconds", pds.asLong(), "must be greater than minReadySeconds"));
                }
            }
        }
    }

    /** Update: {@code spec.selector} is immutable in apps/v1. */
    static void workloadUpdate(JsonNode object, JsonNode old, boolean deployment, List<FieldError> errs) {
        JsonNode sel = object.path("spec").path("selector");
        if (!sel.equals(old.path("spec").path("selector"))) {
            errs.add(FieldError.invalid("spec.selector", sel, "field is immutable"));
        }
        workload(object, deployment, errs);
    }

    private static void strategy(JsonNode strategy, List<FieldError> errs) {
        String type = strategy.path("type").asText("");
        JsonNode ru = strategy.path("rollingUpdate");
        if (type.equals("Recreate")) {
            if (ru.isObject()) {
                errs.add(FieldError.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
            }
        } else if (type.equals("RollingUpdate")) {
            if (!ru.isObject()) {
                errs.add(FieldError.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
                return;
            }
            JsonNode surge = ru.path("maxSurge");
            JsonNode unavailable = ru.path("maxUnavailable");
            intOrPercent(surge, "spec.strategy.rollingUpdate.maxSurge", errs);
            intOrPercent(unavailable, "spec.strategy.rollingUpdate.maxUnavailable", errs);
            if (isZero(surge) && isZero(unavailable)) {
                errs.add(FieldError.invalid("spec.strategy.rollingUpdate.maxUnavailable", unavailable,
                        "may not be 0 when `maxSurge` is 0"));
            }
            if (unavailable.isTextual() && percent(unavailable.asText()) > 100) {
                errs.add(FieldError.invalid("spec.strategy.rollingUpdate.maxUnavailable", unavailable.asText(),
                        "must not be greater than 100%"));
            }
        } else if (type.isEmpty()) {
            errs.add(FieldError.required("spec.strategy.type", ""));
        } else {
            errs.add(FieldError.notSupported("spec.strategy.type", type, List.of("Recreate", "RollingUpdate")));
        }
    }

    private static void intOrPercent(JsonNode v, String path, List<FieldError> errs) {
        if (v.isIntegralNumber()) {
            if (v.asLong() < 0) {
                errs.add(FieldError.invalid(path, v.asLong(), "must be greater than or equal to 0"));
            }
        } else if (v.isTextual()) {
            if (percent(v.asText()) < 0) {
                errs.add(FieldError.invalid(path, v.asText(), "a valid percent string must be a numeric string followed"
                        + " by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
            }
        }
    }

    private static int percent(String s) {
        if (!s.matches("[0-9]+%")) {
            return -1;
        }
        try {
            return Integer.parseInt(s.substring(0, s.length() - 1));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static boolean isZero(JsonNode v) {
        return v.isIntegralNumber() && v.asLong() == 0 || v.isTextual() && percent(v.asText()) == 0;
    }

    private static void nonNegative(JsonNode spec, String field, List<FieldError> errs) {
        JsonNode v = spec.path(field);
        if (v.isIntegralNumber() && v.asLong() < 0) {
            errs.add(FieldError.invalid("spec." + field, v.asLong(), "must be greater than or equal to 0"));
        }
    }
}
