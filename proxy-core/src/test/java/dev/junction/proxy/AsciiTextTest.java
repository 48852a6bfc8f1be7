package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link AsciiText}: bytes across chunk boundaries, exact-size copies, reuse after clear, non-ASCII input. */
class AsciiTextTest {
    @Test
    void keepsEveryByteInOrderAcrossChunks() throws IOException {
        AsciiText text = new AsciiText(1);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            String line = "-A KUBE-SEP-" + i + " -s 10.0." + (i >> 8) + "." + (i & 0xff);
            text.append(AsciiText.bytes(line)).append(' ').append(i).append(" x").append('\n');
            expected.append(line).append(' ').append(i).append(" x\n");
        }
        assertThat(text.length()).isEqualTo(expected.length()).isGreaterThan(4L * AsciiText.MAX_CHUNK);
        assertThat(text.toString()).isEqualTo(expected.toString());
        byte[] copy = new byte[(int) text.length() + 3];
        assertThat(text.copyTo(copy, 3)).isEqualTo(copy.length);
        assertThat(new String(copy, 3, copy.length - 3, StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        text.writeTo(out);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
        byte[] exact = text.toByteArray();
        assertThat(exact).hasSize((int) text.length());
        assertThat(new String(exact, StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
    }

    @Test
    void clearKeepsTheChunksAndForgetsTheText() {
        AsciiText text = new AsciiText(256);
        for (int i = 0; i < 100_000; i++) {
            text.append("0123456789");
        }
        long capacity = text.capacity();
        text.clear();
        assertThat(text.isEmpty()).isTrue();
        text.append("short").append('\n');
        assertThat(text.toString()).isEqualTo("short\n");
        for (int i = 0; i < 100_000; i++) {
            text.append("9876543210");
        }
        assertThat(text.capacity()).isEqualTo(capacity);
        assertThat(text.toString()).startsWith("short\n9876543210").hasSize(6 + 1_000_000);
    }

    @Test
    void nonAsciiIsWrittenAsUtf8() {
        AsciiText text = new AsciiText(256);
        text.append("svc-é ").append(new AsciiText(256).append("ü"));
        assertThat(text.toString()).isEqualTo("svc-é ü");
        assertThat(text.length()).isEqualTo("svc-é ü".getBytes(StandardCharsets.UTF_8).length);
    }
}
