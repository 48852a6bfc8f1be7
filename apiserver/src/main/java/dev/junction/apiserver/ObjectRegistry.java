package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The generic REST storage semantics of kube-apiserver ({@code k8s.io/apiserver/pkg/registry/generic/registry/store.go}
 * and {@code pkg/registry/rest/create.go}/{@code update.go}): server-set metadata (uid,
 * creationTimestamp, resourceVersion, generation, generateName), optimistic concurrency, status and
 * scale subresources, per-type defaulting/validation and Service allocation, and namespace deletion
 * that removes the namespace's contents. Every write happens under the {@link Store} monitor.
 */
final class ObjectRegistry {
    private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

    private final Store store;
    private final ServiceAllocations allocations;

    ObjectRegistry(Store store, ServiceAllocations allocations) {
        this.store = requireNonNull(store, "store");
        this.allocations = requireNonNull(allocations, "allocations");
        synchronized (store) {
            for (ObjectNode svc : store.list(Resources.SERVICES, Optional.empty())) {
                allocations.restore(svc);
            }
        }
    }

    Store store() {
        return store;
    }

    /** GET one object. @throws ApiException 404 */
    ObjectNode get(ResourceType type, String namespace, String name) {
        return store.get(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
    }

    /** LIST as a {@code <Kind>List} object with the current revision. */
    ObjectNode list(ResourceType type, Optional<String> namespace, LabelSelector labels, FieldSelector fields) {
        List<ObjectNode> items;
        long rv;
        synchronized (store) {
            Optional<String> exact = fields.exactName();
            if (exact.isPresent() && namespace.isPresent()) {
                items = store.get(type, namespace.get(), exact.get()).map(List::of).orElse(List.of());
            } else {
                items = store.list(type, namespace);
            }
            rv = store.revision();
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", type.kind() + "List").put("apiVersion", type.apiVersion());
        list.putObject("metadata").put("resourceVersion", Long.toString(rv));
        ArrayNode arr = list.putArray("items");
        for (ObjectNode o : items) {
            if (labels.matches(o) && fields.matches(o)) {
                arr.add(o);
            }
        }
        return list;
    }

    /**
     * CREATE.
     *
     * @param namespace the namespace from the URL ({@code ""} for cluster-scoped types)
     * @param dryRun    validate and default but do not store
     * @throws ApiException 400 on namespace mismatch, 404 when the namespace is missing, 409 when the
     *                      name is taken, 422 when invalid
     */
    ObjectNode create(ResourceType type, String namespace, ObjectNode body, boolean dryRun) {
        ObjectNode obj = body.deepCopy();
        obj.put("apiVersion", type.apiVersion()).put("kind", type.kind());
        ObjectNode meta = Json.meta(obj);
        checkNamespace(type, namespace, meta);
        synchronized (store) {
            if (type.namespaced() && store.get(Resources.NAMESPACES, "", namespace).isEmpty()) {
                throw ApiException.namespaceNotFound(namespace);
            }
            if (meta.path("name").asText("").isEmpty() && !meta.path("generateName").asText("").isEmpty()) {
                meta.put("name", generateName(type, namespace, meta.path("generateName").asText()));
            }
            String name = meta.path("name").asText("");
            meta.remove(List.of("resourceVersion", "managedFields", "deletionTimestamp", "selfLink"));
            meta.put("uid", UUID.randomUUID().toString());
            meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            if (type.hasSpec()) {
                meta.put("generation", 1);
            } else {
                meta.remove("generation");
            }
            prepareStatusForCreate(type, obj);
            Defaults.apply(type, obj);
            List<FieldError> errs = Validation.validate(type, obj);
            if (!errs.isEmpty()) {
                throw ApiException.invalid(type, name, errs);
            }
            if (store.get(type, namespace, name).isPresent()) {
                throw ApiException.alreadyExists(type, name);
            }
            ServiceAllocations.Transaction tx = type == Resources.SERVICES
                    ? allocations.allocate(type, name, Optional.empty(), obj) : null;
            if (dryRun) {
                if (tx != null) {
                    tx.rollback();
                }
                return obj;
            }
            try {
                ObjectNode stored = store.put(type, namespace, name, obj);
                if (tx != null) {
                    tx.commit();
                }
                return stored;
            } catch (RuntimeException e) {
                if (tx != null) {
                    tx.rollback();
                }
                throw e;
            }
        }
    }

    /**
     * UPDATE (PUT) of the main resource or the {@code status} subresource.
     *
     * @throws ApiException 404 when absent, 409 on a stale resourceVersion, 422 when invalid
     */
    ObjectNode update(ResourceType type, String namespace, String name, ObjectNode body, Optional<String> subresource,
            boolean dryRun) {
        synchronized (store) {
            ObjectNode old = get(type, namespace, name);
            String wanted = Json.meta(body).path("resourceVersion").asText("");
            if (!wanted.isEmpty() && !wanted.equals(old.path("metadata").path("resourceVersion").asText())) {
                throw ApiException.conflict(type, name,
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            String bodyName = Json.meta(body).path("name").asText("");
            if (!bodyName.isEmpty() && !bodyName.equals(name)) {
                throw ApiException.badRequest("the name of the object (" + bodyName
                        + ") does not match the name on the URL (" + name + ")");
            }
            ObjectNode obj = merge(type, old, body, subresource);
            return store(type, namespace, name, old, obj, dryRun);
        }
    }

    /**
     * PATCH: applies the patch to the current object, then proceeds as an update. An apply patch
     * ({@code application/apply-patch+yaml}) for a missing object creates it, as server-side apply does.
     *
     * @throws ApiException 404 when absent, 400 on a bad patch, 409/422 as for update
     */
    ObjectNode patch(ResourceType type, String namespace, String name, String contentType, byte[] patch,
            Optional<String> subresource, boolean dryRun) {
        synchronized (store) {
            if (contentType.startsWith("application/apply-patch") && subresource.isEmpty()
                    && store.get(type, namespace, name).isEmpty()) {
                ObjectNode applied = Json.parseObject(patch, true);
                String bodyName = applied.path("metadata").path("name").asText("");
                if (!bodyName.isEmpty() && !bodyName.equals(name)) {
                    throw ApiException.badRequest("the name of the object (" + bodyName
                            + ") does not match the name on the URL (" + name + ")");
                }
                Json.meta(applied).put("name", name);
                return create(type, namespace, applied, dryRun);
            }
            ObjectNode old = get(type, namespace, name);
            if (subresource.filter("scale"::equals).isPresent()) {
                ObjectNode scale = Patches.apply(contentType, scale(type, old), patch);
                return updateScale(type, namespace, name, scale, dryRun);
            }
            ObjectNode patched = Patches.apply(contentType, old, patch);
            String wanted = patched.path("metadata").path("resourceVersion").asText("");
            if (!wanted.isEmpty() && !wanted.equals(old.path("metadata").path("resourceVersion").asText())) {
                throw ApiException.conflict(type, name,
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            ObjectNode obj = merge(type, old, patched, subresource);
            return store(type, namespace, name, old, obj, dryRun);
        }
    }

    /** GET of the {@code scale} subresource as an {@code autoscaling/v1 Scale}. */
    ObjectNode getScale(ResourceType type, String namespace, String name) {
        return scale(type, get(type, namespace, name));
    }

    /** PUT of the {@code scale} subresource: copies {@code spec.replicas} into the object. */
    ObjectNode updateScale(ResourceType type, String namespace, String name, ObjectNode scale, boolean dryRun) {
        synchronized (store) {
            ObjectNode old = get(type, namespace, name);
            String wanted = scale.path("metadata").path("resourceVersion").asText("");
            if (!wanted.isEmpty() && !wanted.equals(old.path("metadata").path("resourceVersion").asText())) {
                throw ApiException.conflict(type, name,
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            JsonNode replicas = scale.path("spec").path("replicas");
            if (!replicas.isIntegralNumber() || replicas.asInt() < 0) {
                throw ApiException.invalid(type, name, List.of(FieldError.invalid("spec.replicas", replicas.asInt(),
                        "must be greater than or equal to 0")));
            }
            ObjectNode obj = old.deepCopy();
            Json.obj(obj, "spec").put("replicas", replicas.asInt());
            return scale(type, store(type, namespace, name, old, obj, dryRun));
        }
    }

    /**
     * DELETE of one object; deleting a namespace first deletes every object in it. With
     * {@code cascade}, dependents (objects in the same namespace whose ownerReferences name the
     * deleted uid) are deleted too, recursively: what upstream's garbage collector
     * ({@code pkg/controller/garbagecollector}) does for propagationPolicy Background/Foreground,
     * done synchronously here.
     *
     * @param preconditions DeleteOptions.preconditions (uid, resourceVersion), possibly missing
     * @param cascade       false for propagationPolicy Orphan
     * @return the deleted object, stamped with the delete revision
     * @throws ApiException 404 when absent, 409 when a precondition fails
     */
    ObjectNode delete(ResourceType type, String namespace, String name, JsonNode preconditions, boolean cascade,
            boolean dryRun) {
        synchronized (store) {
            ObjectNode old = get(type, namespace, name);
            String uid = preconditions.path("uid").asText("");
            if (!uid.isEmpty() && !uid.equals(old.path("metadata").path("uid").asText())) {
                throw ApiException.conflict(type, name, "Precondition failed: UID in precondition: " + uid
                        + ", UID in object meta: " + old.path("metadata").path("uid").asText());
            }
            String rv = preconditions.path("resourceVersion").asText("");
            if (!rv.isEmpty() && !rv.equals(old.path("metadata").path("resourceVersion").asText())) {
                throw ApiException.conflict(type, name, "Precondition failed: ResourceVersion in precondition: " + rv
                        + ", ResourceVersion in object meta: " + old.path("metadata").path("resourceVersion").asText());
            }
            if (dryRun) {
                return old;
            }
            if (type == Resources.NAMESPACES) {
                for (ResourceType t : Resources.ALL) {
                    if (t.namespaced()) {
                        for (ObjectNode o : store.list(t, Optional.of(name))) {
                            deleteOne(t, name, o.path("metadata").path("name").asText());
                        }
                    }
                }
            }
            ObjectNode deleted = deleteOne(type, namespace, name);
            if (cascade && type.namespaced()) {
                deleteDependents(namespace, deleted.path("metadata").path("uid").asText(), 0);
            }
            return deleted;
        }
    }

    private void deleteDependents(String namespace, String ownerUid, int depth) {
        if (ownerUid.isEmpty() || depth > 8) {
            return;
        }
        for (ResourceType t : Resources.ALL) {
            if (!t.namespaced()) {
                continue;
            }
            for (ObjectNode o : store.list(t, Optional.of(namespace))) {
                for (JsonNode ref : o.path("metadata").path("ownerReferences")) {
                    if (ownerUid.equals(ref.path("uid").asText())) {
                        ObjectNode dependent = deleteOne(t, namespace, o.path("metadata").path("name").asText());
                        deleteDependents(namespace, dependent.path("metadata").path("uid").asText(), depth + 1);
                        break;
                    }
                }
            }
        }
    }

    /**
     * DELETECOLLECTION: deletes every object matching the selectors (namespaces are not
     * collection-deletable upstream and are skipped here too).
     *
     * @return a {@code <Kind>List} of the deleted objects
     */
    ObjectNode deleteCollection(ResourceType type, Optional<String> namespace, LabelSelector labels, FieldSelector fields,
            boolean dryRun) {
        synchronized (store) {
            ObjectNode list = list(type, namespace, labels, fields);
            if (dryRun || type == Resources.NAMESPACES) {
                return list;
            }
            ArrayNode deleted = Json.MAPPER.createArrayNode();
            for (JsonNode o : list.path("items")) {
                deleted.add(deleteOne(type, o.path("metadata").path("namespace").asText(""), o.path("metadata").path("name").asText()));
            }
            list.set("items", deleted);
            ((ObjectNode) list.get("metadata")).put("resourceVersion", Long.toString(store.revision()));
            return list;
        }
    }

    private ObjectNode deleteOne(ResourceType type, String namespace, String name) {
        ObjectNode deleted = store.delete(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
        if (type == Resources.SERVICES) {
            allocations.release(deleted);
        }
        return deleted;
    }

    private ObjectNode store(ResourceType type, String namespace, String name, ObjectNode old, ObjectNode obj,
            boolean dryRun) {
        if (type == Resources.SERVICES) {
            allocations.prepareUpdate(old, obj);
        }
        Defaults.apply(type, obj);
        List<FieldError> errs = Validation.validate(type, obj);
        if (!errs.isEmpty()) {
            throw ApiException.invalid(type, name, errs);
        }
        ObjectNode meta = Json.meta(obj);
        if (type.hasSpec() && !withoutMetaAndStatus(old).equals(withoutMetaAndStatus(obj))) {
            meta.put("generation", old.path("metadata").path("generation").asLong(1) + 1);
        }
        if (withoutRv(old).equals(withoutRv(obj))) {
            return old;
        }
        ServiceAllocations.Transaction tx = type == Resources.SERVICES
                ? allocations.allocate(type, name, Optional.of(old), obj) : null;
        if (dryRun) {
            if (tx != null) {
                tx.rollback();
            }
            return obj;
        }
        try {
            ObjectNode stored = store.put(type, namespace, name, obj);
            if (tx != null) {
                tx.commit();
            }
            return stored;
        } catch (RuntimeException e) {
            if (tx != null) {
                tx.rollback();
            }
            throw e;
        }
    }

    /** Builds the new object from the old one and the request body, keeping server-owned fields. */
    private static ObjectNode merge(ResourceType type, ObjectNode old, ObjectNode body, Optional<String> subresource) {
        ObjectNode obj;
        if (subresource.filter("status"::equals).isPresent()) {
            obj = old.deepCopy();
            if (body.has("status")) {
                obj.set("status", body.get("status").deepCopy());
            } else {
                obj.remove("status");
            }
            return obj;
        }
        if (subresource.isPresent()) {
            throw ApiException.pathNotFound();
        }
        obj = body.deepCopy();
        obj.put("apiVersion", type.apiVersion()).put("kind", type.kind());
        ObjectNode meta = Json.meta(obj);
        JsonNode oldMeta = old.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp",
                "resourceVersion")) {
            if (oldMeta.has(f)) {
                meta.set(f, oldMeta.get(f).deepCopy());
            } else {
                meta.remove(f);
            }
        }
        meta.remove("managedFields");
        if (type.hasStatus()) {
            if (old.has("status")) {
                obj.set("status", old.get("status").deepCopy());
            } else {
                obj.remove("status");
            }
        }
        return obj;
    }

    private static void prepareStatusForCreate(ResourceType type, ObjectNode obj) {
        if (type == Resources.PODS) {
            ObjectNode status = obj.putObject("status");
            status.put("phase", "Pending").put("qosClass", "BestEffort");
        } else if (type == Resources.SERVICES || type == Resources.INGRESSES) {
            obj.putObject("status").putObject("loadBalancer");
        } else if (type == Resources.DEPLOYMENTS || type == Resources.REPLICASETS) {
            obj.putObject("status");
        } else if (type == Resources.NAMESPACES) {
            obj.putObject("status").put("phase", "Active");
        }
    }

    private static ObjectNode scale(ResourceType type, ObjectNode obj) {
        if (!type.hasScale()) {
            throw ApiException.pathNotFound();
        }
        ObjectNode s = Json.MAPPER.createObjectNode();
        s.put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode m = s.putObject("metadata");
        JsonNode om = obj.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (om.has(f)) {
                m.set(f, om.get(f).deepCopy());
            }
        }
        s.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(0));
        ObjectNode status = s.putObject("status").put("replicas", obj.path("status").path("replicas").asInt(0));
        StringBuilder sel = new StringBuilder();
        obj.path("spec").path("selector").path("matchLabels").properties().forEach(e -> {
            if (!sel.isEmpty()) {
                sel.append(',');
            }
            sel.append(e.getKey()).append('=').append(e.getValue().asText());
        });
        status.put("selector", sel.toString());
        return s;
    }

    private static void checkNamespace(ResourceType type, String namespace, ObjectNode meta) {
        if (!type.namespaced()) {
            meta.remove("namespace");
            return;
        }
        String bodyNs = meta.path("namespace").asText("");
        if (!bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        meta.put("namespace", namespace);
    }

    private String generateName(ResourceType type, String namespace, String prefix) {
        String base = prefix.length() > 58 ? prefix.substring(0, 58) : prefix;
        for (int attempt = 0; attempt < 16; attempt++) {
            StringBuilder sb = new StringBuilder(base);
            for (int i = 0; i < 5; i++) {
                sb.append(NAME_CHARS.charAt(ThreadLocalRandom.current().nextInt(NAME_CHARS.length())));
            }
            if (store.get(type, namespace, sb.toString()).isEmpty()) {
                return sb.toString();
            }
        }
        throw ApiException.alreadyExists(type, base);
    }

    private static JsonNode withoutMetaAndStatus(ObjectNode o) {
        ObjectNode c = o.deepCopy();
        c.remove(List.of("metadata", "status", "apiVersion", "kind"));
        return c;
    }

    private static JsonNode withoutRv(ObjectNode o) {
        ObjectNode c = o.deepCopy();
        Json.meta(c).remove("resourceVersion");
        return c;
    }
}
