package dev.junction.apiserver;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The typed shape of each served kind, taken from the fabric8 model classes (which are generated
 * from the upstream OpenAPI schema), used the way kube-apiserver's strict JSON decoder uses the Go
 * structs ({@code k8s.io/apimachinery/pkg/runtime/serializer/json}, KEP-2885 server-side field
 * validation): fields the schema does not have are reported as {@code unknown field "spec.foo"}
 * and dropped, and a value of the wrong JSON type is a decode error (400).
 */
final class ObjectSchema {
    /** The outcome of checking one object: unknown field paths (already pruned) and type errors. */
    record Result(List<String> unknownFields, List<String> typeErrors) {
    }

    private static final Map<ResourceType, Class<?>> CLASSES = Map.ofEntries(
            Map.entry(Resources.NAMESPACES, io.fabric8.kubernetes.api.model.Namespace.class),
            Map.entry(Resources.NODES, io.fabric8.kubernetes.api.model.Node.class),
            Map.entry(Resources.PODS, io.fabric8.kubernetes.api.model.Pod.class),
            Map.entry(Resources.SERVICES, io.fabric8.kubernetes.api.model.Service.class),
            Map.entry(Resources.ENDPOINTS, io.fabric8.kubernetes.api.model.Endpoints.class),
            Map.entry(Resources.EVENTS, io.fabric8.kubernetes.api.model.Event.class),
            Map.entry(Resources.CONFIGMAPS, io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry(Resources.SECRETS, io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry(Resources.SERVICEACCOUNTS, io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry(Resources.ENDPOINTSLICES, io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice.class),
            Map.entry(Resources.DEPLOYMENTS, io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry(Resources.REPLICASETS, io.fabric8.kubernetes.api.model.apps.ReplicaSet.class),
            Map.entry(Resources.INGRESSES, io.fabric8.kubernetes.api.model.networking.v1.Ingress.class),
            Map.entry(Resources.INGRESSCLASSES, io.fabric8.kubernetes.api.model.networking.v1.IngressClass.class),
            Map.entry(Resources.NETWORKPOLICIES, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry(Resources.LEASES, io.fabric8.kubernetes.api.model.coordination.v1.Lease.class));

    private static final Map<Class<?>, Map<String, JavaType>> PROPERTIES = new ConcurrentHashMap<>();

    private ObjectSchema() {
    }

    /** The fabric8 model class of a served type. */
    static Optional<Class<?>> modelClass(ResourceType type) {
        return Optional.ofNullable(CLASSES.get(type));
    }

    /**
     * Checks {@code object} against the schema of {@code type}, removing unknown fields in place.
     * With {@code patch}, {@code $}-prefixed strategic-merge directives and nulls are allowed.
     */
    static Result check(ResourceType type, ObjectNode object, boolean patch) {
        List<String> unknown = new ArrayList<>();
        List<String> typeErrors = new ArrayList<>();
        Class<?> c = CLASSES.get(type);
        if (c != null) {
            walk(object, Json.MAPPER.constructType(c), "", patch, unknown, typeErrors);
        }
        return new Result(unknown, typeErrors);
    }

    /** Properties of a model class: JSON name → declared type (cached). */
    static Map<String, JavaType> properties(Class<?> c) {
        return PROPERTIES.computeIfAbsent(c, k -> {
            Map<String, JavaType> out = new LinkedHashMap<>();
            var desc = Json.MAPPER.getDeserializationConfig().introspect(Json.MAPPER.constructType(k));
            for (BeanPropertyDefinition p : desc.findProperties()) {
                if (p.hasSetter() || p.hasField() || p.hasConstructorParameter()) {
                    out.put(p.getName(), p.getPrimaryType());
                }
            }
            return out;
        });
    }

    /** Whether a class is a structured model object (walked field by field) rather than a scalar-like leaf. */
    static boolean isStructured(Class<?> c) {
        return c.getName().startsWith("io.fabric8.kubernetes.api.model") && c != IntOrString.class && c != Quantity.class
                && !c.isEnum() && !properties(c).isEmpty();
    }

    private static void walk(JsonNode node, JavaType t, String path, boolean patch, List<String> unknown,
            List<String> typeErrors) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        Class<?> raw = t.getRawClass();
        if (t.isCollectionLikeType() || t.isArrayType()) {
            if (!node.isArray()) {
                if (!(patch && node.isObject())) {
                    typeErrors.add(mismatch(node, path, "[]" + goType(t.getContentType())));
                }
                return;
            }
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), t.getContentType(), path + "[" + i + "]", patch, unknown, typeErrors);
            }
            return;
        }
        if (t.isMapLikeType()) {
            if (!node.isObject()) {
                typeErrors.add(mismatch(node, path, "map[string]" + goType(t.getContentType())));
                return;
            }
            for (Iterator<Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
                Entry<String, JsonNode> e = it.next();
                if (patch && e.getKey().startsWith("$")) {
                    continue;
                }
                walk(e.getValue(), t.getContentType(), join(path, e.getKey()), patch, unknown, typeErrors);
            }
            return;
        }
        if (raw == String.class) {
            if (!node.isTextual()) {
                typeErrors.add(mismatch(node, path, "string"));
            }
            return;
        }
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            if (!node.isIntegralNumber() && !(node.isNumber() && node.asDouble() == Math.rint(node.asDouble()))) {
                typeErrors.add(mismatch(node, path, raw == Long.class || raw == long.class ? "int64" : "int32"));
            }
            return;
        }
        if (raw == Boolean.class || raw == boolean.class) {
            if (!node.isBoolean()) {
                typeErrors.add(mismatch(node, path, "bool"));
            }
            return;
        }
        if (raw == IntOrString.class) {
            if (!node.isIntegralNumber() && !node.isTextual()) {
                typeErrors.add(mismatch(node, path, "intstr.IntOrString"));
            }
            return;
        }
        if (!isStructured(raw)) {
            return;
        }
        if (!node.isObject()) {
            typeErrors.add(mismatch(node, path, raw.getSimpleName()));
            return;
        }
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        node.properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
        Map<String, JavaType> props = properties(raw);
        for (Entry<String, JsonNode> e : fields.entrySet()) {
            String key = e.getKey();
            if (patch && key.startsWith("$")) {
                continue;
            }
            JavaType pt = props.get(key);
            String p = join(path, key);
            if (pt == null) {
                unknown.add(p);
                ((ObjectNode) node).remove(key);
            } else {
                walk(e.getValue(), pt, p, patch, unknown, typeErrors);
            }
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String mismatch(JsonNode node, String path, String goType) {
        String got = node.isTextual() ? "string" : node.isNumber() ? "number" : node.isBoolean() ? "bool"
                : node.isArray() ? "array" : "object";
        return "json: cannot unmarshal " + got + " into Go struct field " + path + " of type " + goType;
    }

    private static String goType(JavaType t) {
        Class<?> c = t.getRawClass();
        if (c == String.class) {
            return "string";
        }
        if (c == Integer.class) {
            return "int32";
        }
        if (c == Long.class) {
            return "int64";
        }
        if (c == Boolean.class) {
            return "bool";
        }
        return c.getSimpleName();
    }
}
