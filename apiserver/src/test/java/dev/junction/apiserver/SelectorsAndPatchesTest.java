package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Label/field selector grammar and RFC 7386 / RFC 6902 patches, without sockets. */
class SelectorsAndPatchesTest {
    private static ObjectNode obj(String json) {
        return Json.parseObject(json.getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void labelSelectorOperators() {
        ObjectNode o = obj("{\"metadata\":{\"labels\":{\"app\":\"web\",\"tier\":\"fe\"}}}");
        assertThat(LabelSelector.parse("app=web").matches(o)).isTrue();
        assertThat(LabelSelector.parse("app==web,tier=fe").matches(o)).isTrue();
        assertThat(LabelSelector.parse("app!=web").matches(o)).isFalse();
        assertThat(LabelSelector.parse("app in (db, web)").matches(o)).isTrue();
        assertThat(LabelSelector.parse("tier notin (fe)").matches(o)).isFalse();
        assertThat(LabelSelector.parse("app").matches(o)).isTrue();
        assertThat(LabelSelector.parse("!app").matches(o)).isFalse();
        assertThat(LabelSelector.parse("!missing,missing!=x").matches(o)).isTrue();
        assertThat(LabelSelector.parse("").matches(o)).isTrue();
        assertThatThrownBy(() -> LabelSelector.parse("a in (b")).isInstanceOf(ApiException.class);
    }

    @Test
    void fieldSelectorForPods() {
        ObjectNode pod = obj("{\"metadata\":{\"name\":\"p\",\"namespace\":\"d\"},\"spec\":{\"nodeName\":\"n1\"},\"status\":{\"phase\":\"Running\"}}");
        assertThat(FieldSelector.parse("spec.nodeName=n1,status.phase!=Pending", Resources.PODS).matches(pod)).isTrue();
        assertThat(FieldSelector.parse("metadata.namespace==x", Resources.PODS).matches(pod)).isFalse();
        assertThat(FieldSelector.parse("spec.nodeName=", Resources.PODS).matches(obj("{\"spec\":{}}"))).isTrue();
        assertThatThrownBy(() -> FieldSelector.parse("spec.nodeName=n1", Resources.SERVICES))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void mergePatchRemovesNullsAndReplacesLists() {
        JsonNode r = Patches.apply("application/merge-patch+json", obj("{\"a\":{\"b\":1,\"c\":2},\"l\":[1,2]}"),
                "{\"a\":{\"b\":null,\"d\":3},\"l\":[3]}".getBytes(StandardCharsets.UTF_8));
        assertThat(Json.string(r)).isEqualTo("{\"a\":{\"c\":2,\"d\":3},\"l\":[3]}");
    }

    @Test
    void jsonPatchOperations() {
        JsonNode r = Patches.apply("application/json-patch+json", obj("{\"a\":[1,2],\"b\":{\"x\":1}}"), ("["
                + "{\"op\":\"add\",\"path\":\"/a/-\",\"value\":3},"
                + "{\"op\":\"replace\",\"path\":\"/b/x\",\"value\":2},"
                + "{\"op\":\"copy\",\"from\":\"/b\",\"path\":\"/c\"},"
                + "{\"op\":\"move\",\"from\":\"/c/x\",\"path\":\"/d\"},"
                + "{\"op\":\"remove\",\"path\":\"/a/0\"},"
                + "{\"op\":\"test\",\"path\":\"/d\",\"value\":2}]").getBytes(StandardCharsets.UTF_8));
        assertThat(Json.string(r)).isEqualTo("{\"a\":[2,3],\"b\":{\"x\":2},\"c\":{},\"d\":2}");
        assertThatThrownBy(() -> Patches.apply("application/json-patch+json", obj("{}"),
                "[{\"op\":\"remove\",\"path\":\"/nope\"}]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(ApiException.class);
    }

    @Test
    void strategicMergePatchMergesListsByKeyAndHonoursDirectives() {
        ObjectNode deploy = obj("{\"metadata\":{\"finalizers\":[\"a\"]},\"spec\":{\"template\":{\"spec\":{\"containers\":["
                + "{\"name\":\"web\",\"image\":\"v1\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]},"
                + "{\"name\":\"side\",\"image\":\"s1\"}]}}}}");
        String patch = "{\"metadata\":{\"finalizers\":[\"b\"]},\"spec\":{\"template\":{\"spec\":{"
                + "\"$setElementOrder/containers\":[{\"name\":\"web\"},{\"name\":\"side\"}],"
                + "\"containers\":[{\"name\":\"web\",\"image\":\"v2\"},{\"name\":\"side\",\"$patch\":\"delete\"}]}}}}";
        JsonNode r = Patches.apply("application/strategic-merge-patch+json", deploy, patch.getBytes(StandardCharsets.UTF_8));
        assertThat(Json.string(r.at("/spec/template/spec/containers"))).isEqualTo(
                "[{\"name\":\"web\",\"image\":\"v2\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}]}]");
        assertThat(Json.string(r.at("/metadata/finalizers"))).isEqualTo("[\"a\",\"b\"]");
        assertThat(Json.string(r)).doesNotContain("$");
    }

    @Test
    void allocatorsHonourRangesAndRelease() {
        ClusterIpAllocator ips = new ClusterIpAllocator("10.96.0.0/12");
        assertThat(ips.first()).isEqualTo("10.96.0.1");
        assertThat(ips.allocate("10.96.0.1")).isEmpty();
        assertThat(ips.allocate("10.96.0.1")).hasValueSatisfying(m -> assertThat(m).contains("already allocated"));
        assertThat(ips.allocate("10.112.0.1")).hasValueSatisfying(m -> assertThat(m).contains("not in the valid range"));
        String next = ips.allocateNext().orElseThrow();
        assertThat(ips.contains(next)).isTrue();
        ips.release(next);
        assertThat(ips.isAllocated(next)).isFalse();
        NodePortAllocator ports = new NodePortAllocator("30000-30001");
        assertThat(ports.allocateNext()).isPresent();
        assertThat(ports.allocateNext()).isPresent();
        assertThat(ports.allocateNext()).isEmpty();
        assertThatThrownBy(() -> new NodePortAllocator("3-2")).isInstanceOf(IllegalArgumentException.class);
    }
}
