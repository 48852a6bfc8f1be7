package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-kind validation on create and update, as kube-apiserver's REST strategies call it
 * ({@code pkg/registry/<group>/<resource>/strategy.go}: Validate / ValidateUpdate). Each kind's
 * rules live in their own class ({@link ServiceValidation}, {@link PodValidation},
 * {@link EndpointsValidation}, {@link NetworkingValidation}, {@link AppsValidation},
 * {@link MetadataValidation}); this class dispatches. Returns field errors with upstream field
 * paths and messages; an empty list means valid.
 */
public final class Validation {
    private Validation() {
    }

    /** Validates a defaulted object being created. */
    public static List<FieldError> validate(ResourceType type, ObjectNode object) {
        List<FieldError> errs = new ArrayList<>();
        if (type == Resources.SERVICES) {
            ServiceValidation.validate(object, errs);
        } else if (type == Resources.PODS) {
            PodValidation.validate(object, errs);
        } else if (type == Resources.DEPLOYMENTS || type == Resources.REPLICASETS) {
            AppsValidation.workload(object, type == Resources.DEPLOYMENTS, errs);
        } else if (type == Resources.ENDPOINTSLICES) {
            EndpointsValidation.endpointSlice(object, errs);
        } else if (type == Resources.ENDPOINTS) {
            EndpointsValidation.endpoints(object, errs);
        } else if (type == Resources.INGRESSES) {
            NetworkingValidation.ingress(object, errs);
        } else if (type == Resources.INGRESSCLASSES) {
            NetworkingValidation.ingressClass(object, errs);
        } else if (type == Resources.NETWORKPOLICIES) {
            NetworkingValidation.networkPolicy(object, errs);
        } else if (type == Resources.NAMESPACES) {
            MetadataValidation.objectMeta(object.path("metadata"), Names::dns1123Label, errs);
        } else if (type == Resources.EVENTS) {
            MetadataValidation.objectMeta(object.path("metadata"), Validation::pathSegmentName, errs);
        } else {
            MetadataValidation.objectMeta(object.path("metadata"), Names::dns1123Subdomain, errs);
        }
        return errs;
    }

    /** Validates an update of {@code old} to the defaulted {@code object}, including immutable fields. */
    public static List<FieldError> validateUpdate(ResourceType type, ObjectNode object, JsonNode old) {
        List<FieldError> errs = new ArrayList<>();
        if (type == Resources.SERVICES) {
            ServiceValidation.validateUpdate(object, old, errs);
        } else if (type == Resources.PODS) {
            PodValidation.validateUpdate(object, old, errs);
        } else if (type == Resources.DEPLOYMENTS || type == Resources.REPLICASETS) {
            AppsValidation.workloadUpdate(object, old, type == Resources.DEPLOYMENTS, errs);
        } else if (type == Resources.ENDPOINTSLICES) {
            EndpointsValidation.endpointSliceUpdate(object, old, errs);
        } else if (type == Resources.INGRESSCLASSES) {
            NetworkingValidation.ingressClassUpdate(object, old, errs);
        } else {
            return validate(type, object);
        }
        return errs;
    }

    /** Whether {@code s} is a DNS-1123 label (at most 63 characters). */
    public static boolean isDns1123Label(String s) {
        return Names.dns1123Label(s).isEmpty();
    }

    /** ValidatePathSegmentName: any name but {@code .}, {@code ..} or one containing {@code /} or {@code %}. */
    private static List<String> pathSegmentName(String name) {
        if (name.equals(".") || name.equals("..")) {
            return List.of("may not be '" + name + "'");
        }
        for (String bad : new String[] {"/", "%"}) {
            if (name.contains(bad)) {
                return List.of("may not contain '" + bad + "'");
            }
        }
        return List.of();
    }
}
