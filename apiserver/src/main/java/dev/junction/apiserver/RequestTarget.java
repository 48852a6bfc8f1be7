package dev.junction.apiserver;

import java.util.List;
import java.util.Optional;

/**
 * A resource URL decoded the way kube-apiserver's {@code RequestInfoFactory} does
 * ({@code k8s.io/apiserver/pkg/endpoints/request/requestinfo.go}):
 * {@code /api/v1[/watch][/namespaces/{ns}]/{resource}[/{name}[/{subresource}]]} and the same under
 * {@code /apis/{group}/{version}}.
 *
 * @param type        the resource
 * @param namespace   the namespace from the URL; empty for cluster-scoped types and all-namespace lists
 * @param name        the object name, when the URL names one object
 * @param subresource {@code status}, {@code scale}, {@code binding}, …
 * @param watchPath   whether the deprecated {@code /watch/} path prefix was used
 */
record RequestTarget(ResourceType type, Optional<String> namespace, Optional<String> name, Optional<String> subresource,
        boolean watchPath) {

    /** Parses path segments after the group/version, e.g. {@code [namespaces, default, services, web]}. */
    static Optional<RequestTarget> parse(String apiVersion, List<String> rest) {
        boolean watch = false;
        List<String> r = rest;
        if (!r.isEmpty() && r.get(0).equals("watch")) {
            watch = true;
            r = r.subList(1, r.size());
        }
        if (r.isEmpty()) {
            return Optional.empty();
        }
        if (r.get(0).equals("namespaces") && r.size() >= 3 && !(r.size() == 3 && apiVersion.equals("v1")
                && (r.get(2).equals("status") || r.get(2).equals("finalize")))) {
            Optional<ResourceType> t = Resources.find(apiVersion, r.get(2)).filter(ResourceType::namespaced);
            if (t.isEmpty() || r.size() > 5) {
                return Optional.empty();
            }
            return Optional.of(new RequestTarget(t.get(), Optional.of(r.get(1)), at(r, 3), at(r, 4), watch));
        }
        Optional<ResourceType> t = Resources.find(apiVersion, r.get(0));
        if (t.isEmpty() || r.size() > 3 || t.get().namespaced() && r.size() > 1) {
            return Optional.empty();
        }
        return Optional.of(new RequestTarget(t.get(), Optional.empty(), at(r, 1), at(r, 2), watch));
    }

    /** The storage namespace: the URL namespace, or {@code ""} for cluster-scoped types. */
    String storageNamespace() {
        return namespace.orElse("");
    }

    private static Optional<String> at(List<String> l, int i) {
        return i < l.size() ? Optional.of(l.get(i)) : Optional.empty();
    }
}
