package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAPI v3 component schemas for the served kinds, generated from the fabric8 model classes
 * (themselves generated from upstream's {@code api/openapi-spec/v3}), named like upstream's
 * definitions ({@code io.k8s.api.core.v1.Service}, {@code io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta})
 * and carrying {@code x-kubernetes-group-version-kind} on each top-level kind plus the
 * strategic-merge directives ({@code x-kubernetes-patch-merge-key}, {@code x-kubernetes-patch-strategy})
 * of {@code k8s.io/api/core/v1/types.go} for the lists kubectl merges. Enough for {@code kubectl
 * explain} (field names and types; descriptions are not carried by the model classes).
 */
final class OpenApiSchemas {
    /** {@code Class.property} → {@code [mergeKey, strategy]} for list fields with a patch strategy upstream. */
    private static final Map<String, List<String>> PATCH = Map.ofEntries(
            Map.entry("PodSpec.containers", List.of("name", "merge")),
            Map.entry("PodSpec.initContainers", List.of("name", "merge")),
            Map.entry("PodSpec.ephemeralContainers", List.of("name", "merge")),
            Map.entry("PodSpec.volumes", List.of("name", "merge,retainKeys")),
            Map.entry("PodSpec.imagePullSecrets", List.of("name", "merge")),
            Map.entry("PodSpec.hostAliases", List.of("ip", "merge")),
            Map.entry("Container.ports", List.of("containerPort", "merge")),
            Map.entry("Container.env", List.of("name", "merge")),
            Map.entry("Container.volumeMounts", List.of("mountPath", "merge")),
            Map.entry("ServiceSpec.ports", List.of("port", "merge")),
            Map.entry("ObjectMeta.ownerReferences", List.of("uid", "merge")),
            Map.entry("ObjectMeta.finalizers", List.of("", "merge")),
            Map.entry("PodStatus.conditions", List.of("type", "merge")),
            Map.entry("DeploymentStatus.conditions", List.of("type", "merge")),
            Map.entry("ReplicaSetStatus.conditions", List.of("type", "merge")),
            Map.entry("NodeStatus.conditions", List.of("type", "merge")),
            Map.entry("NodeStatus.addresses", List.of("type", "merge")),
            Map.entry("NodeSpec.taints", List.of("", "")));

    private OpenApiSchemas() {
    }

    /** Upstream-style definition name of a model class. */
    static String name(Class<?> c) {
        String pkg = c.getPackageName();
        String simple = c.getSimpleName();
        if (List.of("ObjectMeta", "OwnerReference", "ManagedFieldsEntry", "LabelSelector", "LabelSelectorRequirement",
                "Condition", "ListMeta").contains(simple)) {
            return "io.k8s.apimachinery.pkg.apis.meta.v1." + simple;
        }
        String rest = pkg.replace("io.fabric8.kubernetes.api.model", "");
        if (rest.isEmpty()) {
            return "io.k8s.api.core.v1." + simple;
        }
        rest = rest.substring(1);
        return "io.k8s.api." + (rest.contains(".") ? rest : rest + ".v1") + "." + simple;
    }

    /** Adds the schemas of {@code types} (and everything they reference) to {@code schemas}. */
    static void addTo(ObjectNode schemas, List<ResourceType> types) {
        Deque<Class<?>> todo = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        for (ResourceType t : types) {
            ObjectSchema.modelClass(t).ifPresent(c -> {
                ObjectNode s = schema(c, todo);
                s.putArray("x-kubernetes-group-version-kind").addObject().put("group", t.group()).put("kind", t.kind())
                        .put("version", t.version());
                schemas.set(name(c), s);
                seen.add(c);
            });
        }
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (seen.add(c)) {
                schemas.set(name(c), schema(c, todo));
            }
        }
    }

    private static ObjectNode schema(Class<?> c, Deque<Class<?>> todo) {
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("type", "object");
        s.put("description", "");
        ObjectNode props = s.putObject("properties");
        ObjectSchema.properties(c).forEach((prop, type) -> {
            ObjectNode p = property(type, todo);
            List<String> patch = PATCH.get(c.getSimpleName() + "." + prop);
            if (patch != null) {
                if (!patch.get(0).isEmpty()) {
                    p.put("x-kubernetes-patch-merge-key", patch.get(0));
                }
                if (!patch.get(1).isEmpty()) {
                    p.put("x-kubernetes-patch-strategy", patch.get(1));
                }
            }
            props.set(prop, p);
        });
        return s;
    }

    private static ObjectNode property(JavaType t, Deque<Class<?>> todo) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        Class<?> raw = t.getRawClass();
        if (t.isCollectionLikeType() || t.isArrayType()) {
            p.put("type", "array").set("items", property(t.getContentType(), todo));
        } else if (t.isMapLikeType()) {
            p.put("type", "object").set("additionalProperties", property(t.getContentType(), todo));
        } else if (raw == String.class) {
            p.put("type", "string");
        } else if (raw == Integer.class || raw == int.class) {
            p.put("type", "integer").put("format", "int32");
        } else if (raw == Long.class || raw == long.class) {
            p.put("type", "integer").put("format", "int64");
        } else if (raw == Boolean.class || raw == boolean.class) {
            p.put("type", "boolean");
        } else if (raw == Double.class || raw == double.class) {
            p.put("type", "number").put("format", "double");
        } else if (raw == IntOrString.class) {
            p.put("x-kubernetes-int-or-string", true);
        } else if (raw == Quantity.class) {
            p.put("x-kubernetes-int-or-string", true);
        } else if (ObjectSchema.isStructured(raw)) {
            todo.push(raw);
            p.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + name(raw));
        } else {
            p.put("type", "object");
        }
        return p;
    }
}
