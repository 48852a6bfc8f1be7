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
    /** Attempts of a Service create whose allocation lost to another API server. */
    private static final int MAX_ALLOCATION_ATTEMPTS = 5;

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
        if (store.shared()) {
            // Services created through other API servers: their addresses and ports are taken here
            // too (the etcd allocation keys stay the authority; this only avoids doomed attempts)
            store.addListener(e -> {
                if (e.storageKey().equals(Resources.SERVICES.storageKey()) && e.type() != WatchEvent.Type.DELETED) {
                    allocations.restore(e.object());
                }
            });
        }
    }

    Store store() {
        return store;
    }

    /** GET one object. @throws ApiException 404 */
    ObjectNode get(ResourceType type, String namespace, String name) {
        return store.get(type, namespace, name).orElseThrow(() -> ApiException.notFound(type, name));
    }

    /**
     * GET for a client: as {@link #get}, answered once the object's revision is durable (it may be
     * in a SQLite group commit still). Must not be called holding the store monitor.
     *
     * @throws ApiException 404
     */
    ObjectNode read(ResourceType type, String namespace, String name) {
        ObjectNode o = get(type, namespace, name);
        store.awaitDurable(o.path("metadata").path("resourceVersion").asLong(0));
        return o;
    }

    /** LIST as a {@code <Kind>List} object with the current revision. */
    ObjectNode list(ResourceType type, Optional<String> namespace, LabelSelector labels, FieldSelector fields) {
        return list(type, namespace, labels, fields, 0, "");
    }

    /**
     * LIST with chunking ({@code limit}/{@code continue}, upstream
     * {@code k8s.io/apiserver/pkg/storage/etcd3/store.go} GetList and KEP-365 API chunking): at most
     * {@code limit} items (0 = all) after the key encoded in {@code continueToken}; when more remain,
     * {@code metadata.continue} and {@code metadata.remainingItemCount} are set. Continued pages
     * carry the first page's resourceVersion; items are read from the current state (kine-style),
     * not from a snapshot.
     *
     * @throws ApiException 400 for a malformed token, 410 Expired when its revision was compacted
     */
    ObjectNode list(ResourceType type, Optional<String> namespace, LabelSelector labels, FieldSelector fields, int limit,
            String continueToken) {
        List<ObjectNode> items;
        long rv;
        long seen;
        ContinueToken from = continueToken.isEmpty() ? null : ContinueToken.decode(continueToken);
        synchronized (store) {
            Optional<String> exact = fields.exactName();
            if (exact.isPresent() && namespace.isPresent()) {
                items = store.get(type, namespace.get(), exact.get()).map(List::of).orElse(List.of());
            } else {
                items = store.list(type, namespace);
            }
            rv = store.revision();
            seen = rv;
            if (from != null) {
                try {
                    store.checkWatchable(from.resourceVersion());
                } catch (ApiException e) {
                    throw ApiException.expiredContinue();
                }
                rv = from.resourceVersion();
            }
        }
        store.awaitDurable(seen);
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("kind", type.kind() + "List").put("apiVersion", type.apiVersion());
        ObjectNode meta = list.putObject("metadata").put("resourceVersion", Long.toString(rv));
        ArrayNode arr = list.putArray("items");
        int remaining = 0;
        String last = "";
        for (ObjectNode o : items) {
            String key = o.path("metadata").path("namespace").asText("") + "/" + o.path("metadata").path("name").asText();
            if (from != null && key.compareTo(from.startAfter()) <= 0) {
                continue;
            }
            if (!labels.matches(o) || !fields.matches(o)) {
                continue;
            }
            if (limit > 0 && arr.size() >= limit) {
                remaining++;
                continue;
            }
            arr.add(o);
            last = key;
        }
        if (remaining > 0) {
            meta.put("continue", new ContinueToken(rv, last).encode());
            meta.put("remainingItemCount", remaining);
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
        return create(type, namespace, body, dryRun, FieldOwner.NONE, false);
    }

    /**
     * CREATE recording {@code owner}'s fields: as an Update, or as an Apply when {@code apply}.
     *
     * @see #create(ResourceType, String, ObjectNode, boolean)
     */
    ObjectNode create(ResourceType type, String namespace, ObjectNode body, boolean dryRun, FieldOwner owner, boolean apply) {
        for (int attempt = 1;; attempt++) {
            try {
                return createOnce(type, namespace, body, dryRun, owner, apply);
            } catch (StorageConflict c) {
                // another API server took an address or port first (its etcd transaction won): note
                // it and allocate again, as upstream's allocator retries on a conflicting update
                synchronized (store) {
                    c.keys().forEach(allocations::markTaken);
                }
                if (attempt == MAX_ALLOCATION_ATTEMPTS) {
                    throw ApiException.conflict(type, Json.meta(body).path("name").asText(""),
                            "allocation conflicts with another API server; try again");
                }
            }
        }
    }

    private ObjectNode createOnce(ResourceType type, String namespace, ObjectNode body, boolean dryRun, FieldOwner owner,
            boolean apply) {
        ObjectNode obj = body.deepCopy();
        obj.put("apiVersion", type.apiVersion()).put("kind", type.kind());
        ObjectNode meta = Json.meta(obj);
        checkNamespace(type, namespace, meta);
        // Everything that depends on the request alone (pruning, defaulting, validation,
        // managedFields) runs before the store monitor is taken, so that concurrent creates do it
        // in parallel, as upstream's handlers do before the storage's transaction; its error is
        // raised under the monitor, after the namespace check, in upstream's order.
        boolean generated = meta.path("name").asText("").isEmpty() && !meta.path("generateName").asText("").isEmpty();
        if (generated) {
            meta.put("name", randomName(meta.path("generateName").asText()));
        }
        String name = meta.path("name").asText("");
        ApiException rejected = prepareCreate(type, obj, body, name, owner, apply);
        synchronized (store) {
            if (type.namespaced() && store.get(Resources.NAMESPACES, "", namespace).isEmpty()) {
                throw ApiException.namespaceNotFound(namespace);
            }
            if (rejected != null) {
                throw rejected;
            }
            if (generated && store.get(type, namespace, name).isPresent()) {
                // the random suffix was taken meanwhile: another one of the same length and alphabet
                // (so the validation above still holds)
                name = generateName(type, namespace, meta.path("generateName").asText());
                meta.put("name", name);
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
                ObjectNode stored = store.put(type, namespace, name, obj, tx == null ? Storage.Guards.NONE : tx.guards());
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
     * The create steps that need no store state (upstream {@code rest.BeforeCreate}: server-set
     * metadata, PrepareForCreate, defaulting, Validate; then the field manager), applied to
     * {@code obj} in place.
     *
     * @return the request's rejection (400 undecodable, 422 invalid), or null
     */
    private static ApiException prepareCreate(ResourceType type, ObjectNode obj, ObjectNode body, String name,
            FieldOwner owner, boolean apply) {
        ObjectNode meta = Json.meta(obj);
        meta.remove(List.of("resourceVersion", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"));
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (type.hasSpec()) {
            meta.put("generation", 1);
        } else {
            meta.remove("generation");
        }
        try {
            prune(type, obj);
        } catch (ApiException e) {
            return e;
        }
        prepareStatusForCreate(type, obj);
        Defaults.apply(type, obj);
        List<FieldError> errs = Validation.validate(type, obj);
        if (!errs.isEmpty()) {
            return ApiException.invalid(type, name, errs);
        }
        if (!owner.manager().isEmpty()) {
            if (apply) {
                ManagedFields.recordApply(obj, Json.MAPPER.createObjectNode(), body, owner.manager(), type.apiVersion(), true);
            } else {
                ManagedFields.recordCreate(obj, body, owner.manager(), type.apiVersion());
            }
        }
        return null;
    }

    /**
     * UPDATE (PUT) of the main resource or the {@code status} subresource.
     *
     * @throws ApiException 404 when absent, 409 on a stale resourceVersion, 422 when invalid
     */
    ObjectNode update(ResourceType type, String namespace, String name, ObjectNode body, Optional<String> subresource,
            boolean dryRun) {
        return update(type, namespace, name, body, subresource, dryRun, FieldOwner.NONE);
    }

    /** UPDATE recording {@code owner}'s changed fields. */
    ObjectNode update(ResourceType type, String namespace, String name, ObjectNode body, Optional<String> subresource,
            boolean dryRun, FieldOwner owner) {
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
            return store(type, namespace, name, old, obj, dryRun, owner, subresource.orElse(""));
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
        return patch(type, namespace, name, contentType, patch, subresource, dryRun, FieldOwner.NONE);
    }

    /**
     * PATCH recording {@code owner}: an Update for merge/JSON/strategic patches; for an apply patch,
     * server-side apply with ownership, conflicts (409 unless forced) and removal of fields the
     * manager applied before and no longer applies.
     *
     * @throws ApiException 400 when an apply patch has no field manager, 409 on apply conflicts
     */
    ObjectNode patch(ResourceType type, String namespace, String name, String contentType, byte[] patch,
            Optional<String> subresource, boolean dryRun, FieldOwner owner) {
        boolean apply = contentType.startsWith("application/apply-patch");
        if (apply && owner.manager().isEmpty()) {
            throw ApiException.badRequest("PATCH requests with apply content type must have fieldManager");
        }
        synchronized (store) {
            if (apply && subresource.isEmpty() && store.get(type, namespace, name).isEmpty()) {
                ObjectNode applied = Json.parseObject(patch, true);
                String bodyName = applied.path("metadata").path("name").asText("");
                if (!bodyName.isEmpty() && !bodyName.equals(name)) {
                    throw ApiException.badRequest("the name of the object (" + bodyName
                            + ") does not match the name on the URL (" + name + ")");
                }
                Json.meta(applied).put("name", name);
                return create(type, namespace, applied, dryRun, owner, true);
            }
            ObjectNode old = get(type, namespace, name);
            if (subresource.filter("scale"::equals).isPresent()) {
                ObjectNode scale = Patches.apply(contentType, scale(type, old), patch);
                return updateScale(type, namespace, name, scale, dryRun, owner);
            }
            ObjectNode patched = Patches.apply(contentType, old, patch);
            String wanted = patched.path("metadata").path("resourceVersion").asText("");
            if (!wanted.isEmpty() && !wanted.equals(old.path("metadata").path("resourceVersion").asText())) {
                throw ApiException.conflict(type, name,
                        "the object has been modified; please apply your changes to the latest version and try again");
            }
            ObjectNode obj = merge(type, old, patched, subresource);
            if (apply && subresource.isEmpty()) {
                JsonNode applied = Json.parseObject(patch, true);
                ObjectSchema.check(type, (ObjectNode) applied, false);
                List<ManagedFields.Conflict> conflicts = ManagedFields.recordApply(obj, old, applied, owner.manager(),
                        type.apiVersion(), owner.force());
                if (!conflicts.isEmpty()) {
                    throw ApiException.applyConflict(type, name, conflicts);
                }
                return store(type, namespace, name, old, obj, dryRun, FieldOwner.NONE, "");
            }
            return store(type, namespace, name, old, obj, dryRun, owner, subresource.orElse(""));
        }
    }

    /** GET of the {@code scale} subresource as an {@code autoscaling/v1 Scale}. */
    ObjectNode getScale(ResourceType type, String namespace, String name) {
        return scale(type, get(type, namespace, name));
    }

    /** PUT of the {@code scale} subresource: copies {@code spec.replicas} into the object. */
    ObjectNode updateScale(ResourceType type, String namespace, String name, ObjectNode scale, boolean dryRun) {
        return updateScale(type, namespace, name, scale, dryRun, FieldOwner.NONE);
    }

    /** PUT of the {@code scale} subresource recording {@code owner}. */
    ObjectNode updateScale(ResourceType type, String namespace, String name, ObjectNode scale, boolean dryRun,
            FieldOwner owner) {
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
            return scale(type, store(type, namespace, name, old, obj, dryRun, owner, "scale"));
        }
    }

    /**
     * DELETE of one object, with upstream's graceful deletion and finalizers
     * ({@code k8s.io/apiserver/pkg/registry/generic/registry/store.go} Delete,
     * {@code pkg/registry/rest/delete.go} BeforeDelete, {@code pkg/registry/core/pod/strategy.go}
     * CheckGracefulDelete):
     * <ul>
     * <li>a Pod bound to a node and not finished is deleted gracefully: it gets
     * {@code deletionTimestamp = now + grace} and {@code deletionGracePeriodSeconds} (grace from the
     * options, else {@code spec.terminationGracePeriodSeconds}, else 30) and stays until the node
     * agent deletes it with grace 0 or {@link #reapExpired()} finds the period over;</li>
     * <li>an object with {@code metadata.finalizers} gets {@code deletionTimestamp} and stays until an
     * update removes the last finalizer;</li>
     * <li>anything else is removed at once. Deleting a namespace first removes everything in it.</li>
     * </ul>
     * Dependents (objects in the namespace whose ownerReferences name the deleted uid) are deleted
     * too, recursively and synchronously, for Background and Foreground propagation (what upstream's
     * garbage collector does asynchronously); Orphan removes those ownerReferences instead.
     *
     * @return the deleted object, or the object now pending deletion
     * @throws ApiException 404 when absent, 409 when a precondition fails
     */
    ObjectNode delete(ResourceType type, String namespace, String name, DeleteOptions options, boolean dryRun) {
        synchronized (store) {
            ObjectNode old = get(type, namespace, name);
            JsonNode preconditions = options.preconditions();
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
            long grace = gracePeriod(type, old, options.gracePeriodSeconds());
            boolean finalizers = old.path("metadata").path("finalizers").size() > 0;
            if (grace > 0 || finalizers) {
                ObjectNode pending = markDeleting(old, grace);
                if (dryRun || pending.equals(old)) {
                    return pending;
                }
                return store.put(type, namespace, name, pending);
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
            if (type.namespaced()) {
                String ownerUid = deleted.path("metadata").path("uid").asText();
                if (options.propagationPolicy().equals("Orphan")) {
                    orphanDependents(namespace, ownerUid);
                } else {
                    deleteDependents(namespace, ownerUid, 0);
                }
            }
            return deleted;
        }
    }

    /**
     * Removes every pod whose graceful deletion period is over and that has no finalizers left
     * (what the node lifecycle / pod GC controllers guarantee upstream when no kubelet finishes
     * the job).
     *
     * @return how many objects were removed
     */
    int reapExpired() {
        synchronized (store) {
            int n = 0;
            Instant now = Instant.now();
            for (ObjectNode pod : store.list(Resources.PODS, Optional.empty())) {
                JsonNode meta = pod.path("metadata");
                String ts = meta.path("deletionTimestamp").asText("");
                if (!ts.isEmpty() && meta.path("finalizers").size() == 0 && !Instant.parse(ts).isAfter(now)) {
                    deleteOne(Resources.PODS, meta.path("namespace").asText(), meta.path("name").asText());
                    n++;
                }
            }
            return n;
        }
    }

    /** Upstream CheckGracefulDelete: pods only; 0 for unbound or finished pods. */
    private static long gracePeriod(ResourceType type, ObjectNode obj, Optional<Long> requested) {
        if (type != Resources.PODS) {
            return 0;
        }
        String phase = obj.path("status").path("phase").asText("");
        if (obj.path("spec").path("nodeName").asText("").isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
            return 0;
        }
        long grace = requested.orElseGet(() -> obj.path("spec").path("terminationGracePeriodSeconds").asLong(30));
        JsonNode current = obj.path("metadata").path("deletionGracePeriodSeconds");
        if (current.isIntegralNumber()) {
            grace = Math.min(grace, current.asLong()); // a delete may only shorten a pending grace period
        }
        return Math.max(0, grace);
    }

    private static ObjectNode markDeleting(ObjectNode old, long grace) {
        ObjectNode pending = old.deepCopy();
        ObjectNode meta = Json.meta(pending);
        JsonNode current = old.path("metadata").path("deletionGracePeriodSeconds");
        if (meta.has("deletionTimestamp") && current.isIntegralNumber() && current.asLong() <= grace) {
            return old;
        }
        meta.put("deletionTimestamp", Instant.now().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
        meta.put("deletionGracePeriodSeconds", grace);
        if (old.path("metadata").has("generation")) {
            meta.put("generation", old.path("metadata").path("generation").asLong(1) + 1);
        }
        return pending;
    }

    private void orphanDependents(String namespace, String ownerUid) {
        for (ResourceType t : Resources.ALL) {
            if (!t.namespaced()) {
                continue;
            }
            for (ObjectNode o : store.list(t, Optional.of(namespace))) {
                JsonNode refs = o.path("metadata").path("ownerReferences");
                ArrayNode kept = Json.MAPPER.createArrayNode();
                refs.forEach(r -> {
                    if (!ownerUid.equals(r.path("uid").asText())) {
                        kept.add(r);
                    }
                });
                if (kept.size() != refs.size()) {
                    ObjectNode copy = o.deepCopy();
                    if (kept.isEmpty()) {
                        Json.meta(copy).remove("ownerReferences");
                    } else {
                        Json.meta(copy).set("ownerReferences", kept);
                    }
                    try {
                        store.put(t, namespace, o.path("metadata").path("name").asText(), copy);
                    } catch (ApiException e) {
                        if (e.code() != 409 && e.code() != 404) {
                            throw e;
                        }
                        // changed or gone meanwhile through another API server: left as it is
                    }
                }
            }
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
                        ObjectNode dependent;
                        try {
                            dependent = deleteOne(t, namespace, o.path("metadata").path("name").asText());
                        } catch (ApiException e) {
                            if (e.code() != 409 && e.code() != 404) {
                                throw e;
                            }
                            // Changed or deleted meanwhile through another API server (our cache was
                            // behind etcd): the owner's delete stands; the garbage collector (upstream's
                            // only path for dependents) removes what is left, as in background propagation.
                            break;
                        }
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
        Storage.Guards held = type == Resources.SERVICES
                ? store.get(type, namespace, name).map(ServiceAllocations::held).orElse(Storage.Guards.NONE) : Storage.Guards.NONE;
        ObjectNode deleted = store.delete(type, namespace, name, held).orElseThrow(() -> ApiException.notFound(type, name));
        if (type == Resources.SERVICES) {
            allocations.release(deleted);
        }
        return deleted;
    }

    private ObjectNode store(ResourceType type, String namespace, String name, ObjectNode old, ObjectNode obj,
            boolean dryRun, FieldOwner owner, String subresource) {
        prune(type, obj);
        if (!Json.meta(obj).has("managedFields") && old.path("metadata").has("managedFields")) {
            Json.meta(obj).set("managedFields", old.path("metadata").path("managedFields").deepCopy());
        }
        if (type == Resources.SERVICES) {
            allocations.prepareUpdate(old, obj);
        }
        Defaults.apply(type, obj);
        List<FieldError> errs = Validation.validateUpdate(type, obj, old);
        if (!errs.isEmpty()) {
            throw ApiException.invalid(type, name, errs);
        }
        ObjectNode meta = Json.meta(obj);
        if (meta.has("deletionTimestamp")) {
            List<String> added = new java.util.ArrayList<>();
            List<String> before = new java.util.ArrayList<>();
            old.path("metadata").path("finalizers").forEach(f -> before.add(f.asText()));
            meta.path("finalizers").forEach(f -> {
                if (!before.contains(f.asText())) {
                    added.add(f.asText());
                }
            });
            if (!added.isEmpty()) {
                throw ApiException.invalid(type, name, List.of(FieldError.forbidden("metadata.finalizers",
                        "no new finalizers can be added if the object is being deleted, found new finalizers "
                                + Json.MAPPER.valueToTree(added))));
            }
            boolean graceOver = type != Resources.PODS || meta.path("deletionGracePeriodSeconds").asLong(0) == 0;
            if (meta.path("finalizers").size() == 0 && graceOver) {
                // the last finalizer is gone: the deletion completes now
                if (dryRun) {
                    return obj;
                }
                ObjectNode deleted = deleteOne(type, namespace, name);
                if (type.namespaced()) {
                    deleteDependents(namespace, deleted.path("metadata").path("uid").asText(), 0);
                }
                return deleted;
            }
        }
        if (type.hasSpec() && !withoutMetaAndStatus(old).equals(withoutMetaAndStatus(obj))) {
            meta.put("generation", old.path("metadata").path("generation").asLong(1) + 1);
        }
        if (withoutRv(old).equals(withoutRv(obj))) {
            return old;
        }
        if (!owner.manager().isEmpty()) {
            ManagedFields.recordUpdate(obj, old, owner.manager(), type.apiVersion(), subresource);
            if (withoutRv(old).equals(withoutRv(obj))) {
                return old;
            }
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
            ObjectNode stored = store.put(type, namespace, name, obj, tx == null ? Storage.Guards.NONE : tx.guards());
            if (tx != null) {
                tx.commit();
            }
            return stored;
        } catch (StorageConflict c) {
            tx.rollback();
            c.keys().forEach(allocations::markTaken);
            throw ApiException.conflict(type, name, "allocation conflicts with another API server; try again");
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
                "deletionGracePeriodSeconds", "resourceVersion")) {
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

    /** Drops fields the kind's schema does not have, as decoding into the typed object does upstream. */
    private static void prune(ResourceType type, ObjectNode obj) {
        ObjectSchema.Result r = ObjectSchema.check(type, obj, false);
        if (!r.typeErrors().isEmpty()) {
            throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                    + type.kind() + ": " + r.typeErrors().get(0));
        }
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
        for (int attempt = 0; attempt < 16; attempt++) {
            String candidate = randomName(prefix);
            if (store.get(type, namespace, candidate).isEmpty()) {
                return candidate;
            }
        }
        throw ApiException.alreadyExists(type, prefix.length() > 58 ? prefix.substring(0, 58) : prefix);
    }

    /** {@code generateName} plus five random characters, the prefix cut to 58 (upstream names.SimpleNameGenerator). */
    private static String randomName(String prefix) {
        StringBuilder sb = new StringBuilder(prefix.length() > 58 ? prefix.substring(0, 58) : prefix);
        for (int i = 0; i < 5; i++) {
            sb.append(NAME_CHARS.charAt(ThreadLocalRandom.current().nextInt(NAME_CHARS.length())));
        }
        return sb.toString();
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
