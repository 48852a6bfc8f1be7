package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * One committed change, the unit of both the change log and watch streams (like an etcd event).
 *
 * @param revision   global revision at which the change was committed (the object's resourceVersion)
 * @param type       ADDED, MODIFIED or DELETED
 * @param storageKey the resource's {@link ResourceType#storageKey()}
 * @param namespace  object namespace, {@code ""} when cluster-scoped
 * @param object     the object after the change (for DELETED: the last state, with the delete revision)
 * @param previous   the object before the change; empty for ADDED
 */
public record WatchEvent(long revision, Type type, String storageKey, String namespace, ObjectNode object,
        Optional<ObjectNode> previous) {

    /** Watch event types as in {@code k8s.io/apimachinery/pkg/watch}. */
    public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK }

    public WatchEvent {
        requireNonNull(type, "type");
        requireNonNull(storageKey, "storageKey");
        requireNonNull(namespace, "namespace");
        requireNonNull(object, "object");
        requireNonNull(previous, "previous");
    }
}
