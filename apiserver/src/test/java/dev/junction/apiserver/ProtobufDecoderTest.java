package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The protobuf envelope and field layouts, with bytes built by hand (kubectl itself is exercised in KubectlTest). */
class ProtobufDecoderTest {
    @Test
    void decodesAnEnvelopedServiceAndDropsGoZeroValues() {
        byte[] meta = concat(field(1, str("web")), field(2, str("")), field(11, concat(field(1, str("app")), field(2, str("web")))));
        byte[] targetPort = concat(varintField(1, 0), varintField(2, 8080));
        byte[] port = concat(field(1, str("http")), field(2, str("TCP")), varintField(3, 80), field(4, targetPort),
                varintField(5, 0));
        byte[] spec = concat(field(1, port), field(2, concat(field(1, str("app")), field(2, str("web")))), field(4, str("NodePort")));
        byte[] svc = concat(field(1, meta), field(2, spec));
        byte[] typeMeta = concat(field(1, str("v1")), field(2, str("Service")));
        byte[] body = concat(new byte[] {'k', '8', 's', 0}, field(1, typeMeta), field(2, svc), field(4, str("application/vnd.kubernetes.protobuf")));

        ObjectNode o = ProtobufDecoder.decode(body);
        assertThat(Json.string(o)).isEqualTo("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\","
                + "\"labels\":{\"app\":\"web\"}},\"spec\":{\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":80,"
                + "\"targetPort\":8080}],\"selector\":{\"app\":\"web\"},\"type\":\"NodePort\"}}");
    }

    @Test
    void rejectsBodiesWithoutTheMagicAndUnknownKinds() {
        assertThatThrownBy(() -> ProtobufDecoder.decode("{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        byte[] typeMeta = concat(field(1, str("batch/v1")), field(2, str("Job")));
        assertThatThrownBy(() -> ProtobufDecoder.decode(concat(new byte[] {'k', '8', 's', 0}, field(1, typeMeta))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
    }

    private static byte[] str(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] field(int number, byte[] payload) {
        return concat(varint((number << 3) | 2), varint(payload.length), payload);
    }

    private static byte[] varintField(int number, long value) {
        return concat(varint(number << 3), varint(value));
    }

    private static byte[] varint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long x = v;
        while ((x & ~0x7FL) != 0) {
            out.write((int) ((x & 0x7F) | 0x80));
            x >>>= 7;
        }
        out.write((int) x);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
