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
    private static final Map<Class<?>, JavaType> ROOT_TYPES = new ConcurrentHashMap<>();
    private static final ClassValue<Boolean> STRUCTURED = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            return c.getName().startsWith("io.fabric8.kubernetes.api.model") && c != IntOrString.class && c != Quantity.class
                    && !c.isEnum() && !properties(c).isEmpty();
        }
    };

    private ObjectSchema() {
    }

    /** The fabric8 model class of a served type. */
    static Optional<Class<?>> modelClass(ResourceType type) {
        return Optional.ofNullable(CLASSES.get(type));
    }

    /**
     * Checks {@code object} against the schema of {@code type}, removing unknown fields in place.
     * With {@code patch}, {@code $}-prefixed strategic-merge directives and nulls are allowed.
     * Field paths are spelled out only for the fields reported (this runs on every write, over
     * every endpoint of a slice).
     */
    static Result check(ResourceType type, ObjectNode object, boolean patch) {
        List<String> unknown = new ArrayList<>();
        List<String> typeErrors = new ArrayList<>();
        Class<?> c = CLASSES.get(type);
        if (c != null) {
            walk(object, ROOT_TYPES.computeIfAbsent(c, Json.MAPPER::constructType), null, patch, unknown, typeErrors);
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

    /** Whether a class is a structured model object (walked field by field) rather than a scalar-like leaf (cached). */
    static boolean isStructured(Class<?> c) {
        return STRUCTURED.get(c);
    }

    /**
     * A field path, spelled out only when reported: the parent, then a property name or (when
     * {@code key} is null) a list index.
     */
    private record Loc(Loc parent, String key, int index) {
        static Loc field(Loc parent, String key) {
            return new Loc(parent, key, -1);
        }

        static String text(Loc loc) {
            StringBuilder sb = new StringBuilder();
            append(loc, sb);
            return sb.toString();
        }

        private static void append(Loc l, StringBuilder sb) {
            if (l == null) {
                return;
            }
            append(l.parent, sb);
            if (l.key == null) {
                sb.append('[').append(l.index).append(']');
            } else {
                if (l.parent != null) {
                    sb.append('.');
                }
                sb.append(l.key);
            }
        }
    }

    private static void walk(JsonNode node, JavaType t, Loc path, boolean patch, List<String> unknown,
            List<String> typeErrors) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        Class<?> raw = t.getRawClass();
        if (t.isCollectionLikeType() || t.isArrayType()) {
            if (!node.isArray()) {
                if (!(patch && node.isObject())) {
                    typeErrors.add(mismatch(node, Loc.text(path), "[]" + goType(t.getContentType())));
                }
                return;
            }
            JavaType content = t.getContentType();
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), content, new Loc(path, null, i), patch, unknown, typeErrors);
            }
            return;
        }
        if (t.isMapLikeType()) {
            if (!node.isObject()) {
                typeErrors.add(mismatch(node, Loc.text(path), "map[string]" + goType(t.getContentType())));
                return;
            }
            JavaType content = t.getContentType();
            for (Iterator<Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
                Entry<String, JsonNode> e = it.next();
                if (patch && e.getKey().startsWith("$")) {
                    continue;
                }
                walk(e.getValue(), content, Loc.field(path, e.getKey()), patch, unknown, typeErrors);
            }
            return;
        }
        if (raw == String.class) {
            if (!node.isTextual()) {
                typeErrors.add(mismatch(node, Loc.text(path), "string"));
            }
            return;
        }
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            if (!node.isIntegralNumber() && !(node.isNumber() && node.asDouble() == Math.rint(node.asDouble()))) {
                typeErrors.add(mismatch(node, Loc.text(path), raw == Long.class || raw == long.class ? "int64" : "int32"));
            }
            return;
        }
        if (raw == Boolean.class || raw == boolean.class) {
            if (!node.isBoolean()) {
                typeErrors.add(mismatch(node, Loc.text(path), "bool"));
            }
            return;
        }
        if (raw == IntOrString.class) {
            if (!node.isIntegralNumber() && !node.isTextual()) {
                typeErrors.add(mismatch(node, Loc.text(path), "intstr.IntOrString"));
            }
            return;
        }
        if (!isStructured(raw)) {
            return;
        }
        if (!node.isObject()) {
            typeErrors.add(mismatch(node, Loc.text(path), raw.getSimpleName()));
            return;
        }
        Map<String, JavaType> props = properties(raw);
        List<String> drop = null;
        for (Iterator<Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
            Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (patch && key.startsWith("$")) {
                continue;
            }
            JavaType pt = props.get(key);
            if (pt == null) {
                unknown.add(Loc.text(Loc.field(path, key)));
                if (drop == null) {
                    drop = new ArrayList<>();
                }
                drop.add(key);
            } else {
                walk(e.getValue(), pt, Loc.field(path, key), patch, unknown, typeErrors);
            }
        }
        if (drop != null) {
            ((ObjectNode) node).remove(drop);
        }
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
