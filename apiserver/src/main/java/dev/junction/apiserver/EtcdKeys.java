package dev.junction.apiserver;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * etcd key layout, as kube-apiserver's: {@code <prefix>/<resource path>/<namespace>/<name>} (or
 * {@code <prefix>/<resource path>/<name>} when cluster-scoped). The resource path is the plural
 * except where upstream's registries chose otherwise: {@code services/specs} and
 * {@code services/endpoints} ({@code pkg/registry/core/service/storage},
 * {@code pkg/registry/core/endpoint/storage}), {@code minions} for nodes and {@code ingress} for
 * ingresses ({@code pkg/kubeapiserver/default_storage_factory_builder.go} resource prefixes).
 */
final class EtcdKeys {
    /** The parts of an object key. */
    record Parsed(ResourceType type, String namespace, String name) {
    }

    private static final Map<String, String> SPECIAL = Map.of(
            Resources.SERVICES.storageKey(), "services/specs",
            Resources.ENDPOINTS.storageKey(), "services/endpoints",
            Resources.NODES.storageKey(), "minions",
            Resources.INGRESSES.storageKey(), "ingress");

    private final String prefix;
    private final Map<String, ResourceType> byPath = new HashMap<>();
    private final List<String> pathsLongestFirst;

    /** @param prefix the etcd prefix without trailing slash, e.g. {@code /registry} */
    EtcdKeys(String prefix) {
        this.prefix = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        for (ResourceType t : Resources.ALL) {
            byPath.put(path(t), t);
        }
        pathsLongestFirst = byPath.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** {@code <prefix>/} : the range every API server watches. */
    String root() {
        return prefix + "/";
    }

    /** The key of one object. */
    String key(ResourceType type, String namespace, String name) {
        return type.namespaced() ? prefix + "/" + path(type) + "/" + namespace + "/" + name : prefix + "/" + path(type) + "/" + name;
    }

    /** The key of one object given its {@link ResourceType#storageKey()}. */
    String key(String storageKey, String namespace, String name) {
        return key(type(storageKey), namespace, name);
    }

    /** An allocation key ({@link Storage.Guards}) under the prefix. */
    String guard(String relative) {
        return prefix + "/" + relative;
    }

    /** The object a key names; empty for keys that are not objects (allocations, other prefixes). */
    Optional<Parsed> parse(String key) {
        if (!key.startsWith(prefix + "/")) {
            return Optional.empty();
        }
        String rest = key.substring(prefix.length() + 1);
        for (String p : pathsLongestFirst) {
            if (rest.startsWith(p + "/")) {
                ResourceType t = byPath.get(p);
                String tail = rest.substring(p.length() + 1);
                int slash = tail.indexOf('/');
                if (t.namespaced() && slash > 0 && slash < tail.length() - 1 && tail.indexOf('/', slash + 1) < 0) {
                    return Optional.of(new Parsed(t, tail.substring(0, slash), tail.substring(slash + 1)));
                }
                if (!t.namespaced() && slash < 0 && !tail.isEmpty()) {
                    return Optional.of(new Parsed(t, "", tail));
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static ResourceType type(String storageKey) {
        return Resources.ALL.stream().filter(t -> t.storageKey().equals(storageKey)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown resource " + storageKey));
    }

    private static String path(ResourceType t) {
        return SPECIAL.getOrDefault(t.storageKey(), t.plural());
    }
}
