package dev.junction.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestHead} (the lean path's request-head parser): what it takes, what it leaves to
 * Netty's decoder, heads split at every byte, and that the head forwarded from its bytes is
 * byte for byte the one the codec path forwards ({@link RequestHeadWriter} over Netty's decoded
 * fields after {@link HopByHop#strip}, decoded by the codec path's handlers).
 */
class RequestHeadTest {
    private static final int MAX = 4096;

    private static RequestHead parse(String s) {
        byte[] a = s.getBytes(StandardCharsets.ISO_8859_1);
        return RequestHead.parse(a, 0, a.length, MAX);
    }

    @Test
    void parsesAPlainGet() {
        String text = "GET /a/b?c=d HTTP/1.1\r\nHost: Web.Test:8080\r\nAccept:  */* \r\nCookie: X=1; Y=2\r\n\r\nGET /next";
        RequestHead h = parse(text);
        assertThat(h).isNotNull().isNotSameAs(RequestHead.NOT_LEAN);
        assertThat(h.method()).isEqualTo(HttpMethod.GET);
        assertThat(h.target()).isEqualTo("/a/b?c=d");
        assertThat(h.length()).isEqualTo(text.indexOf("GET /next"));
        assertThat(h.host()).isEqualTo("Web.Test:8080");
        assertThat(h.header("accept")).contains("*/*");
        assertThat(h.header("COOKIE")).contains("X=1; Y=2");
        assertThat(h.header("x-canary")).isEmpty();
        assertThat(h.keepAlive()).isTrue();
    }

    @Test
    void connectionCloseAndTheFieldsConnectionNamesAreHopByHop() {
        RequestHead h = parse("DELETE /x HTTP/1.1\r\nHost: h\r\nConnection: Close, X-Secret\r\nx-secret: 1\r\n"
                + "Keep-Alive: 5\r\nTE: trailers\r\nAccept: a\r\n\r\n");
        assertThat(h.method()).isEqualTo(HttpMethod.DELETE);
        assertThat(h.keepAlive()).isFalse();
        assertThat(h.fieldCount()).isEqualTo(6);
        assertThat(h.forwarded(0)).isTrue();
        assertThat(h.forwarded(1)).isFalse();
        assertThat(h.forwarded(2)).isFalse();
        assertThat(h.forwarded(3)).isFalse();
        assertThat(h.forwarded(4)).isFalse();
        assertThat(h.forwarded(5)).isTrue();
    }

    @Test
    void leavesEverythingButPlainBodylessHttp11ToNetty() {
        String[] notLean = {
            "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",                                   // the codecs' method queue
            "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n",
            "BREW / HTTP/1.1\r\nHost: h\r\n\r\n",                                   // unknown method
            "get / HTTP/1.1\r\nHost: h\r\n\r\n",                                    // methods are case-sensitive
            "GET / HTTP/1.0\r\nHost: h\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",                                     // h2c prior knowledge
            "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n",                            // absolute-form
            "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.1\nHost: h\r\n\r\n",                                      // bare LF
            "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",                                // leading empty line
            "GET /\u00e9 HTTP/1.1\r\nHost: h\r\n\r\n",                              // obs-text in the target
            "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",                      // obs-fold
            "GET / HTTP/1.1\r\nHost : h\r\n\r\n",                                   // space before the colon
            "GET / HTTP/1.1\r\nHost: h\r\nX: a\u0000b\r\n\r\n",                     // NUL
            "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",                         // bare CR
            "GET / HTTP/1.1\r\nHost: h\r\nX: \u00e9\r\n\r\n",                       // obs-text in a value
            "GET / HTTP/1.1\r\n\r\n",                                               // no Host
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",                         // two
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",         // a body
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\n\r\n",
            "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
            "GET /" + "a".repeat(MAX) + " HTTP/1.1\r\nHost: h\r\n\r\n",            // over the lean size
            "GET / HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(MAX) + "\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\n" + "X: a\r\n".repeat(RequestHead.MAX_FIELDS) + "\r\n",
        };
        for (String s : notLean) {
            assertThat(parse(s)).as(s).isSameAs(RequestHead.NOT_LEAN);
        }
        // Too long is decided before the head is complete: the bytes go on to Netty's 414 / 431.
        assertThat(parse("GET /" + "a".repeat(MAX))).isSameAs(RequestHead.NOT_LEAN);
        assertThat(parse("GET / HTTP/1.1\r\nX: " + "a".repeat(MAX))).isSameAs(RequestHead.NOT_LEAN);
    }

    @Test
    void everyPrefixOfAHeadIsIncomplete() {
        String text = "PATCH /p?q HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nConnection: keep-alive\r\n\r\n";
        byte[] a = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int end = 0; end < a.length; end++) {
            assertThat(RequestHead.parse(a, 0, end, MAX)).as("first %d bytes", end).isNull();
        }
        RequestHead h = RequestHead.parse(a, 0, a.length, MAX);
        assertThat(h.length()).isEqualTo(a.length);
        assertThat(h.header("x-empty")).contains("");
        // At an offset, as the decoder parses pipelined heads.
        byte[] two = ("xx" + text).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestHead.parse(two, 2, two.length, MAX).target()).isEqualTo("/p?q");
    }

    @Test
    void forwardedHeadIsTheCodecPathsByteForByte() {
        String[] heads = {
            "GET /a?b=c HTTP/1.1\r\nHost: Web.Test:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n",
            "GET / HTTP/1.1\r\nhost: h\r\nX-Request-ID: abc\r\nX-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 1.2.3.4\r\n"
                    + "Connection: keep-alive, X-Drop\r\nX-Drop: 1\r\nProxy-Authorization: Basic x\r\nTE: trailers\r\n"
                    + "Content-Length: 0\r\n\r\n",
            "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nAccept:   a b  \r\n\r\n",
            "OPTIONS /o HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
            "DELETE /d HTTP/1.1\r\nHost: h\r\nConnection: x-request-id\r\nX-Request-ID: gone\r\n\r\n",
        };
        for (String text : heads) {
            RequestHead lean = parse(text);
            assertThat(lean).as(text).isNotNull().isNotSameAs(RequestHead.NOT_LEAN);
            EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new BodylessRequestAggregator(),
                    new HttpObjectAggregator(1024));
            ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
            FullHttpRequest req = ch.readInbound();
            boolean clZero = !req.method().equals(HttpMethod.GET);
            HopByHop.strip(req.headers());
            ByteBuf expected = RequestHeadWriter.encodeForwarded(ByteBufAllocator.DEFAULT, req.method(), req.uri(),
                    req.headers(), "h", "10.0.0.1", "h", AsciiString.of("80"), AsciiString.of("http"), clZero);
            ByteBuf actual = RequestHeadWriter.encodeForwarded(ByteBufAllocator.DEFAULT, lean, lean.target(), "h",
                    "10.0.0.1", "h", AsciiString.of("80"), AsciiString.of("http"), clZero);
            try {
                assertThat(strip(actual.toString(StandardCharsets.ISO_8859_1)))
                        .as(text).isEqualTo(strip(expected.toString(StandardCharsets.ISO_8859_1)));
                assertThat(actual.readableBytes()).isEqualTo(expected.readableBytes());
            } finally {
                expected.release();
                actual.release();
                req.release();
                ch.finishAndReleaseAll();
            }
        }
    }

    /** Blanks a generated x-request-id (random on both sides). */
    private static String strip(String head) {
        return head.replaceAll("x-request-id: [0-9a-f]{32}\r\n", "x-request-id: *\r\n");
    }

    @Test
    void headerLookupIsCaseInsensitiveAndFirstWins() {
        RequestHead h = parse("GET / HTTP/1.1\r\nHost: h\r\nX-Canary: always\r\nx-canary: never\r\n\r\n");
        assertThat(h.header("X-CANARY")).isEqualTo(Optional.of("always"));
    }
}
