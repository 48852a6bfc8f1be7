package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shared encoding of stored objects ({@link EncodedObjects}) and the compact trees ({@link CompactNodeFactory}). */
class StoredEncodingTest {
    private static final String SLICE = "{\"metadata\":{\"name\":\"s\",\"labels\":{\"a\":\"b\"}},\"addressType\":\"IPv4\","
            + "\"endpoints\":[{\"addresses\":[\"10.0.0.1\"],\"conditions\":{\"ready\":true}},"
            + "{\"addresses\":[\"10.0.0.2\"],\"conditions\":{\"ready\":false}}],\"ports\":[{\"name\":\"http\",\"port\":80}]}";

    @Test
    void aRememberedObjectIsEncodedOnceAndAnEqualCopyIsEncodedAfresh() {
        ObjectNode stored = Json.parseObject(SLICE.getBytes(StandardCharsets.UTF_8), false);
        byte[] json = Json.bytes(stored);
        EncodedObjects.remember(stored, json);

        assertThat(Json.bytes(stored)).isSameAs(json);
        ObjectNode copy = stored.deepCopy();
        byte[] fresh = Json.bytes(copy);
        assertThat(fresh).isNotSameAs(json).isEqualTo(json);
        // another object in the same slot replaces it: the first is then encoded afresh, never wrongly
        for (int i = 0; i < 4 * EncodedObjects.SLOTS; i++) {
            ObjectNode other = Json.MAPPER.createObjectNode().put("i", i);
            EncodedObjects.remember(other, Json.bytes(other));
            assertThat(new String(Json.bytes(other), StandardCharsets.UTF_8)).isEqualTo("{\"i\":" + i + "}");
        }
        assertThat(Json.bytes(stored)).isEqualTo(json);
    }

    @Test
    void compactTreesReadCopyCompareAndWriteAsJacksonsOwn() throws Exception {
        JsonNode plain = new ObjectMapper().readTree(SLICE);
        ObjectNode compact = Json.parseObject(SLICE.getBytes(StandardCharsets.UTF_8), false);
        assertThat(compact).isEqualTo(plain);
        ObjectNode copy = compact.deepCopy();
        // containers grow past their small initial capacity, keeping insertion order
        ObjectNode meta = (ObjectNode) copy.get("metadata");
        ArrayNode eps = (ArrayNode) copy.get("endpoints");
        for (int i = 0; i < 40; i++) {
            meta.put("k" + i, i);
            eps.addObject().putArray("addresses").add("10.1.0." + i);
        }
        assertThat(meta.size()).isEqualTo(42);
        assertThat(eps.size()).isEqualTo(42);
        assertThat(eps.get(41).path("addresses").get(0).asText()).isEqualTo("10.1.0.39");
        assertThat(Json.string(compact)).isEqualTo(new ObjectMapper().writeValueAsString(plain));
        assertThat(Json.string(copy)).startsWith("{\"metadata\":{\"name\":\"s\",\"labels\":{\"a\":\"b\"},\"k0\":0,");
    }
}
