package dev.junction.controllers;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Optional;

/** OwnerReference helpers (upstream apimachinery {@code metav1.NewControllerRef} / {@code GetControllerOf}). */
final class Owners {
    private Owners() {
    }

    /** A controller reference to {@code owner} with {@code blockOwnerDeletion=true}. */
    static OwnerReference controllerRef(HasMetadata owner, String apiVersion, String kind) {
        return new OwnerReferenceBuilder()
                .withApiVersion(apiVersion).withKind(kind)
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true)
                .build();
    }

    /** The owner reference with {@code controller=true}, if any. */
    static Optional<OwnerReference> controllerOf(HasMetadata object) {
        var refs = object.getMetadata().getOwnerReferences();
        if (refs == null) {
            return Optional.empty();
        }
        return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst();
    }

    /** Whether {@code object}'s controller is {@code owner} (same kind and UID). */
    static boolean isControlledBy(HasMetadata object, HasMetadata owner, String kind) {
        return controllerOf(object)
                .filter(r -> kind.equals(r.getKind()) && owner.getMetadata().getUid() != null
                        && owner.getMetadata().getUid().equals(r.getUid()))
                .isPresent();
    }
}
