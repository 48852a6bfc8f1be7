package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The parts of a {@code meta/v1 DeleteOptions} the registry honours (upstream
 * {@code k8s.io/apimachinery/pkg/apis/meta/v1/types.go}): preconditions, propagationPolicy (with
 * the deprecated orphanDependents mapped onto it) and gracePeriodSeconds, from the request body and
 * query parameters (the query wins).
 *
 * @param preconditions     {@code {uid, resourceVersion}}, possibly a MissingNode
 * @param propagationPolicy {@code Background}, {@code Foreground} or {@code Orphan}
 * @param gracePeriodSeconds seconds before a pod may be removed; empty for the object's default
 */
record DeleteOptions(JsonNode preconditions, String propagationPolicy, Optional<Long> gracePeriodSeconds) {
    static final List<String> POLICIES = List.of("Background", "Foreground", "Orphan");

    DeleteOptions {
        requireNonNull(preconditions, "preconditions");
        requireNonNull(propagationPolicy, "propagationPolicy");
        requireNonNull(gracePeriodSeconds, "gracePeriodSeconds");
        if (!POLICIES.contains(propagationPolicy)) {
            throw ApiException.badRequest("propagationPolicy: Unsupported value: \"" + propagationPolicy
                    + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }
        gracePeriodSeconds.filter(g -> g < 0).ifPresent(g -> {
            throw ApiException.badRequest("gracePeriodSeconds: Invalid value: " + g + ": must be greater than or equal to 0");
        });
    }

    /** Background propagation, default grace, no preconditions. */
    static DeleteOptions defaults() {
        return new DeleteOptions(Json.MAPPER.missingNode(), "Background", Optional.empty());
    }

    /**
     * Reads options from a DeleteOptions body and the query parameters {@code propagationPolicy},
     * {@code orphanDependents} and {@code gracePeriodSeconds}.
     *
     * @throws ApiException 400 for an unsupported policy or a negative or non-numeric grace period
     */
    static DeleteOptions of(JsonNode body, Optional<String> policyParam, Optional<String> orphanParam,
            Optional<String> graceParam) {
        String policy = policyParam.orElse(body.path("propagationPolicy").asText("Background"));
        if (orphanParam.filter("true"::equals).isPresent() || body.path("orphanDependents").asBoolean(false)) {
            policy = "Orphan";
        }
        Optional<Long> grace;
        try {
            grace = graceParam.map(Long::parseLong)
                    .or(() -> body.path("gracePeriodSeconds").isIntegralNumber()
                            ? Optional.of(body.path("gracePeriodSeconds").asLong()) : Optional.empty());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("gracePeriodSeconds: invalid value " + graceParam.orElse(""));
        }
        return new DeleteOptions(body.path("preconditions"), policy, grace);
    }
}
