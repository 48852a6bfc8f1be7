package dev.junction.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAPI v3 surface ({@code /openapi/v3} index and one document per group/version, as
 * upstream {@code k8s.io/kube-openapi/pkg/handler3}): each write operation declares the
 * {@code fieldValidation} query parameter and its {@code x-kubernetes-group-version-kind}, which is
 * what kubectl's QueryParamVerifierV3 ({@code k8s.io/cli-runtime/pkg/resource/query_param_verifier_v3.go})
 * looks for before it relies on server-side field validation, and {@code components.schemas} come
 * from {@link OpenApiSchemas} for {@code kubectl explain}. {@code /openapi/v2} is {@link OpenApiV2}.
 */
public final class OpenApi {
    private OpenApi() {
    }

    /**
     * The document for the path after {@code /openapi}, e.g. {@code [v3]} or {@code [v3, apis, apps, v1]}.
     *
     * @return empty for unknown paths (a 404)
     */
    public static Optional<ObjectNode> document(List<String> path) {
        if (path.size() == 1 && path.get(0).equals("v3")) {
            ObjectNode root = Json.MAPPER.createObjectNode();
            ObjectNode paths = root.putObject("paths");
            paths.putObject("api/v1").put("serverRelativeURL", "/openapi/v3/api/v1?hash=" + hash("v1"));
            for (String gv : Resources.groupVersions()) {
                paths.putObject("apis/" + gv).put("serverRelativeURL", "/openapi/v3/apis/" + gv + "?hash=" + hash(gv));
            }
            return Optional.of(root);
        }
        if (path.size() >= 3 && path.get(0).equals("v3")) {
            String gv = String.join("/", path.subList(1, path.size()));
            String apiVersion = gv.equals("api/v1") ? "v1" : gv.startsWith("apis/") ? gv.substring(5) : "";
            List<ResourceType> types = Resources.ALL.stream().filter(r -> r.apiVersion().equals(apiVersion)).toList();
            if (types.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(groupVersion(types));
        }
        return Optional.empty();
    }

    private static ObjectNode groupVersion(List<ResourceType> types) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", Discovery.GIT_VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : types) {
            String prefix = t.group().isEmpty() ? "/api/v1" : "/apis/" + t.apiVersion();
            String collection = prefix + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural();
            ObjectNode col = paths.putObject(collection);
            operation(col, "post", t);
            ObjectNode item = paths.putObject(collection + "/{name}");
            operation(item, "put", t);
            operation(item, "patch", t);
        }
        OpenApiSchemas.addTo(doc.putObject("components").putObject("schemas"), types);
        return doc;
    }

    private static void operation(ObjectNode path, String verb, ResourceType t) {
        ObjectNode op = path.putObject(verb);
        op.put("operationId", verb + t.kind());
        ArrayNode params = op.putArray("parameters");
        for (String p : List.of("dryRun", "fieldManager", "fieldValidation")) {
            params.addObject().put("name", p).put("in", "query").put("description", p)
                    .putObject("schema").put("type", "string").put("uniqueItems", true);
        }
        op.put("x-kubernetes-action", verb);
        op.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version()).put("kind", t.kind());
        op.putObject("responses").putObject("200").put("description", "OK");
    }

    private static String hash(String gv) {
        return Integer.toHexString((Discovery.GIT_VERSION + gv).hashCode()).toUpperCase(java.util.Locale.ROOT);
    }
}
