package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque {@code continue} token of a chunked list, shaped like upstream's
 * ({@code k8s.io/apiserver/pkg/storage/continue.go}: base64url of {@code {"v":"meta.k8s.io/v1",
 * "rv":N,"start":"key"}}).
 *
 * @param resourceVersion the revision of the first page
 * @param startAfter      the last key ({@code namespace/name}) already returned
 */
record ContinueToken(long resourceVersion, String startAfter) {
    ContinueToken {
        requireNonNull(startAfter, "startAfter");
    }

    /** base64url (no padding) of the JSON form. */
    String encode() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("v", "meta.k8s.io/v1").put("rv", resourceVersion).put("start", startAfter + "\u0000");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(n));
    }

    /**
     * Decodes a token.
     *
     * @throws ApiException 400 BadRequest when it is not one of ours
     */
    static ContinueToken decode(String token) {
        try {
            JsonNode n = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
            if (!n.path("v").asText().equals("meta.k8s.io/v1") || !n.path("rv").isIntegralNumber()) {
                throw new IllegalArgumentException("version");
            }
            String start = n.path("start").asText();
            return new ContinueToken(n.path("rv").asLong(), start.endsWith("\u0000") ? start.substring(0, start.length() - 1) : start);
        } catch (Exception e) {
            throw ApiException.badRequest("continue key is not valid: " + e.getMessage());
        }
    }
}
