package dev.junction.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link RequestHeadWriter}: exact bytes, and that Netty's own decoder reads them back unchanged. */
class RequestHeadWriterTest {
    @Test
    void forwardedHeadReplacesProxyFieldsAndKeepsTheClientsRequestId() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Host", "Web.Test:8080");
        h.add("X-Forwarded-For", "6.6.6.6");
        h.add("Accept", "*/*");
        h.add("X-Request-ID", "abc");
        h.add("Content-Length", "0");
        ByteBuf b = RequestHeadWriter.encodeForwarded(ByteBufAllocator.DEFAULT, HttpMethod.POST, "/p", h, "Web.Test:8080",
                "10.0.0.1", "web.test", AsciiString.of("80"), AsciiString.of("http"), true);
        try {
            assertThat(b.toString(StandardCharsets.ISO_8859_1)).isEqualTo("POST /p HTTP/1.1\r\nAccept: */*\r\n"
                    + "X-Request-ID: abc\r\nhost: Web.Test:8080\r\nx-real-ip: 10.0.0.1\r\nx-forwarded-for: 10.0.0.1\r\n"
                    + "x-forwarded-host: web.test\r\nx-forwarded-port: 80\r\nx-forwarded-proto: http\r\nx-scheme: http\r\n"
                    + "content-length: 0\r\n\r\n");
        } finally {
            b.release();
        }
        ByteBuf g = RequestHeadWriter.encodeForwarded(ByteBufAllocator.DEFAULT, HttpMethod.GET, "/", new DefaultHttpHeaders(),
                "h", "::1", "h", AsciiString.of("443"), AsciiString.of("https"), false);
        try {
            assertThat(g.toString(StandardCharsets.ISO_8859_1)).matches("GET / HTTP/1\\.1\r\nhost: h\r\n"
                    + "x-request-id: [0-9a-f]{32}\r\nx-real-ip: ::1\r\n(?s).*x-scheme: https\r\n\r\n");
        } finally {
            g.release();
        }
    }

    @Test
    void roundTripsThroughNettysDecoderKeepingTargetBytes() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Host", "x");
        h.add("Content-Length", "0");
        ByteBuf b = RequestHeadWriter.encodeForwarded(ByteBufAllocator.DEFAULT, HttpMethod.DELETE, "/caf\u00e9", h, "x",
                "127.0.0.1", "x", AsciiString.of("80"), AsciiString.of("http"), true);
        assertThat(b.getByte(b.readerIndex() + 11)).isEqualTo((byte) 0xe9);
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new HttpObjectAggregator(1024));
        ch.writeInbound(b);
        FullHttpRequest req = ch.readInbound();
        try {
            assertThat(req.decoderResult().isSuccess()).isTrue();
            assertThat(req.method()).isEqualTo(HttpMethod.DELETE);
            assertThat(req.uri()).isEqualTo("/caf\u00e9");
            assertThat(req.headers().get("host")).isEqualTo("x");
            assertThat(req.headers().getAll("content-length")).containsExactly("0");
            assertThat(req.headers().get("x-forwarded-port")).isEqualTo("80");
        } finally {
            req.release();
            ch.finishAndReleaseAll();
        }
        ByteBuf empty = RequestHeadWriter.encodeForwarded(ByteBufAllocator.DEFAULT, HttpMethod.GET, "", new DefaultHttpHeaders(),
                "h", "1.2.3.4", "h", AsciiString.of("80"), AsciiString.of("http"), false);
        assertThat(empty.toString(StandardCharsets.US_ASCII)).startsWith("GET / HTTP/1.1\r\nhost: h\r\n");
        empty.release();
    }

    @Test
    void headsLargerThanTheScratchArrayAndAsciiStringFieldsAreWrittenWhole() {
        // 16 KiB of fields (the header limit) > the 4 KiB scratch array; AsciiString names and values too.
        HttpHeaders h = new DefaultHttpHeaders();
        String big = "v".repeat(5000);
        h.add("X-A", big);
        h.add(AsciiString.of("X-B"), AsciiString.of(big));
        h.add("X-C", big + "\u00ff");
        for (int round = 0; round < 2; round++) {
            ByteBuf b = RequestHeadWriter.encodeForwarded(ByteBufAllocator.DEFAULT, HttpMethod.GET, "/" + "p".repeat(3000), h,
                    "h", "1.2.3.4", "h", AsciiString.of("80"), AsciiString.of("http"), false);
            try {
                String text = b.toString(StandardCharsets.ISO_8859_1);
                assertThat(text).startsWith("GET /" + "p".repeat(3000) + " HTTP/1.1\r\nX-A: " + big + "\r\nX-B: " + big
                        + "\r\nX-C: " + big + "\u00ff\r\nhost: h\r\n").endsWith("x-scheme: http\r\n\r\n");
                assertThat(b.readableBytes()).isEqualTo(text.length());
            } finally {
                b.release();
            }
        }
    }
}
