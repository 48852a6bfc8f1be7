package dev.junction.controllers;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Optional;

/**
 * The {@code pod-template-hash} label value (upstream {@code pkg/controller/controller_utils.go}
 * {@code ComputeHash}): FNV-1a 32-bit over the pod template (here its canonical JSON with sorted keys,
 * any existing pod-template-hash label removed) followed, when set, by {@code collisionCount} as 8 bytes
 * (uint32 little-endian, zero-padded), rendered as apimachinery {@code rand.SafeEncodeString} of the decimal hash. Values look like
 * upstream's ({@code 7c5ddbdf54}) but are not bit-identical, since upstream hashes Go's spew dump.
 */
final class PodTemplateHash {
    static final String LABEL = "pod-template-hash";
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .configure(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .build();

    private PodTemplateHash() {
    }

    static String of(PodTemplateSpec template, Optional<Integer> collisionCount) {
        PodTemplateSpec copy = new PodTemplateSpecBuilder(template).build();
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null) {
            var labels = new HashMap<>(copy.getMetadata().getLabels());
            labels.remove(LABEL);
            copy.getMetadata().setLabels(labels);
        }
        String json;
        try {
            json = CANONICAL.writeValueAsString(CANONICAL.convertValue(copy, Object.class));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("pod template cannot be serialised", e);
        }
        int hash = 0x811c9dc5;
        for (byte b : json.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        if (collisionCount.isPresent()) {
            int count = collisionCount.get();
            for (int i = 0; i < 8; i++) { // 8 bytes: the uint32 little-endian, then zeros (as upstream)
                int b = i < 4 ? (count >>> (8 * i)) & 0xff : 0;
                hash ^= b;
                hash *= 0x01000193;
            }
        }
        return Names.safeEncode(Integer.toUnsignedString(hash));
    }
}
