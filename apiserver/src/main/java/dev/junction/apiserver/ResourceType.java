package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One REST resource the server stores, as kube-apiserver registers it (upstream
 * {@code k8s.io/apiserver/pkg/endpoints/installer.go}): group, version, plural resource name, kind
 * and scope, plus the subresources and short names that discovery advertises.
 *
 * @param group        API group, {@code ""} for the core group
 * @param version      API version such as {@code v1}
 * @param plural       resource name in URLs, e.g. {@code services}
 * @param singular     singular name, e.g. {@code service}
 * @param kind         object kind, e.g. {@code Service}
 * @param namespaced   whether objects live in a namespace
 * @param shortNames   kubectl short names, e.g. {@code svc}
 * @param hasStatus    whether a {@code /status} subresource exists (main-resource writes keep status)
 * @param hasScale     whether a {@code /scale} subresource exists
 * @param hasSpec      whether changes outside metadata/status bump {@code metadata.generation}
 */
public record ResourceType(String group, String version, String plural, String singular, String kind,
        boolean namespaced, List<String> shortNames, boolean hasStatus, boolean hasScale, boolean hasSpec) {

    public ResourceType {
        requireNonNull(group, "group");
        requireNonNull(version, "version");
        requireNonNull(plural, "plural");
        requireNonNull(singular, "singular");
        requireNonNull(kind, "kind");
        shortNames = List.copyOf(shortNames);
    }

    /** {@code v1} for the core group, else {@code group/version}, as in an object's apiVersion. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code services} or {@code deployments.apps}: the qualified resource used in error messages. */
    public String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** Storage key prefix, unique across groups, e.g. {@code apps/deployments}. */
    public String storageKey() {
        return group.isEmpty() ? "core/" + plural : group + "/" + plural;
    }
}
