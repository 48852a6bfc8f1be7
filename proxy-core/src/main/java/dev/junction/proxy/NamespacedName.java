package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

/** {@code namespace/name} of an API object, as upstream {@code types.NamespacedName}. */
public record NamespacedName(String namespace, String name) implements Comparable<NamespacedName> {
    public NamespacedName {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }

    @Override
    public int compareTo(NamespacedName other) {
        int byNamespace = namespace.compareTo(other.namespace);
        return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
    }
}
