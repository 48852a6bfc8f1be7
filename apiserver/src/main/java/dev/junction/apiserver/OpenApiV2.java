package dev.junction.apiserver;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /openapi/v2} in the protobuf encoding kubectl asks for
 * (requested as {@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf}, answered as
 * {@code application/com.github.proto-openapi.spec.v2.v1.0+protobuf}; message
 * {@code openapi.v2.Document} of {@code github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto}).
 * Like the v3 surface in {@link OpenApi} it carries operations, not schemas: each kind gets a
 * PATCH (and POST/PUT) operation with the {@code x-kubernetes-group-version-kind} extension and the
 * {@code fieldValidation} query parameter, which is what kubectl ≤ 1.28's QueryParamVerifier
 * ({@code k8s.io/cli-runtime/pkg/resource/query_param_verifier.go}) checks before it sends
 * {@code fieldValidation=Strict} instead of validating client-side. Strategic-merge metadata then
 * comes from kubectl's compiled-in types, as it does for any kind missing from the definitions.
 */
final class OpenApiV2 {
    /** The media type of the protobuf document. */
    static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private static final byte[] DOCUMENT = build();

    private OpenApiV2() {
    }

    /** The encoded {@code openapi.v2.Document}. */
    static byte[] protobuf() {
        return DOCUMENT.clone();
    }

    private static byte[] build() {
        Proto paths = new Proto();
        for (ResourceType t : Resources.ALL) {
            String prefix = t.group().isEmpty() ? "/api/v1" : "/apis/" + t.apiVersion();
            String collection = prefix + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural();
            paths.message(2, new Proto().string(1, collection).message(2, new Proto().message(4, operation("create", t))));
            Proto item = new Proto().message(3, operation("replace", t)).message(8, operation("patch", t));
            paths.message(2, new Proto().string(1, collection + "/{name}").message(2, item));
        }
        Proto info = new Proto().string(1, "Kubernetes").string(2, Discovery.GIT_VERSION);
        return new Proto().string(1, "2.0").message(2, info).message(8, paths).bytes();
    }

    private static Proto operation(String verb, ResourceType t) {
        Proto op = new Proto().string(5, verb + t.kind());
        for (String p : new String[] {"dryRun", "fieldManager", "fieldValidation"}) {
            Proto query = new Proto().string(2, "query").string(3, p).string(4, p).string(6, "string").bool(20, true);
            Proto nonBody = new Proto().message(3, query);
            op.message(8, new Proto().message(1, new Proto().message(2, nonBody)));
        }
        String gvk = "group: \"" + t.group() + "\"\nkind: " + t.kind() + "\nversion: " + t.version() + "\n";
        op.message(13, new Proto().string(1, "x-kubernetes-group-version-kind").message(2, new Proto().string(2, gvk)));
        op.message(13, new Proto().string(1, "x-kubernetes-action").message(2, new Proto().string(2, verb.equals("create")
                ? "post\n" : verb.equals("replace") ? "put\n" : "patch\n")));
        return op;
    }

    /** A minimal protobuf writer: length-delimited strings and messages, varint booleans. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto string(int field, String value) {
            return bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto message) {
            return bytes(field, message.bytes());
        }

        Proto bool(int field, boolean value) {
            varint(field << 3);
            varint(value ? 1 : 0);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        private Proto bytes(int field, byte[] value) {
            varint(field << 3 | 2);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
