package dev.junction.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ResponseHead} (lean path's response head parser) and {@link BodyFramer} against RFC 9112's framing rules. */
class ResponseHeadTest {
    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static ResponseHead parse(String s) throws Exception {
        ByteBuf b = buf(s);
        try {
            return ResponseHead.parse(b);
        } finally {
            b.release();
        }
    }

    private static String encode(ResponseHead h, boolean dropLength, String... extra) {
        ByteBuf out = h.encode(ByteBufAllocator.DEFAULT, dropLength, extra);
        try {
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    @Test
    void incompleteHeadLeavesTheBufferAlone() throws Exception {
        ByteBuf b = buf("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n");
        assertThat(ResponseHead.parse(b)).isNull();
        assertThat(b.readerIndex()).isZero();
        b.writeCharSequence("\r\nok", StandardCharsets.US_ASCII);
        ResponseHead h = ResponseHead.parse(b);
        assertThat(h.status).isEqualTo(200);
        assertThat(h.contentLength).isEqualTo(2);
        assertThat(b.toString(StandardCharsets.US_ASCII)).isEqualTo("ok");
        b.release();
    }

    @Test
    void hopByHopFieldsAndTheFieldsConnectionNamesAreDropped() throws Exception {
        ResponseHead h = parse("HTTP/1.1 200 Fine\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Dropped\r\n"
                + "X-Dropped: 1\r\nKeep-Alive: timeout=5\r\nX-A:  1 \r\nUpgrade: h2c\r\nProxy-Connection: x\r\n\r\n");
        assertThat(h.framing(false)).isEqualTo(ResponseHead.CHUNKED);
        assertThat(h.keepAlive()).isTrue();
        assertThat(encode(h, true, "set-cookie", "a=b", null, "", "connection", "close"))
                .isEqualTo("HTTP/1.1 200 Fine\r\nX-A: 1\r\nset-cookie: a=b\r\nconnection: close\r\n\r\n");
    }

    @Test
    void framingFollowsRfc9112Section6_3() throws Exception {
        assertThat(parse("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n").framing(false)).isZero();
        assertThat(parse("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n").framing(false)).isZero();
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").framing(true)).isZero();
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n").framing(false)).isEqualTo(5);
        assertThat(parse("HTTP/1.1 200 OK\r\n\r\n").framing(false)).isEqualTo(ResponseHead.UNTIL_CLOSE);
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n").framing(false))
                .isEqualTo(ResponseHead.CHUNKED);
        assertThat(parse("HTTP/1.1 100 Continue\r\n\r\n").bodyless()).isTrue();
    }

    @Test
    void keepAliveFollowsVersionAndConnection() throws Exception {
        assertThat(parse("HTTP/1.0 200 OK\r\n\r\n").keepAlive()).isFalse();
        assertThat(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n").keepAlive()).isTrue();
        assertThat(parse("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n").keepAlive()).isFalse();
        assertThat(parse("HTTP/1.1 200 OK\n\n").keepAlive()).isTrue();
        assertThat(encode(parse("HTTP/1.0 404\r\nA: b\r\n\r\n"), false)).isEqualTo("HTTP/1.1 404 \r\nA: b\r\n\r\n");
    }

    @Test
    void malformedHeadsAreRefused() {
        for (String bad : new String[] {"HTTP/2.0 200 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "ICY 200 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
                "HTTP/1.1 200 OK\r\nA : 1\r\n\r\n", "HTTP/1.1 200 OK\r\nA: 1\r2\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(ResponseHead.Malformed.class);
        }
        ByteBuf huge = buf("HTTP/1.1 200 OK\r\nA: " + "x".repeat(ResponseHead.MAX_HEAD) + "\r\n");
        assertThatThrownBy(() -> ResponseHead.parse(huge)).isInstanceOf(ResponseHead.Malformed.class);
        huge.release();
    }

    @Test
    void chunkedBodyEndIsFoundAcrossAnySplit() throws Exception {
        String body = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer-A: 1\r\n\r\n";
        String after = "HTTP/1.1 200";
        String all = body + after;
        for (int cut = 0; cut <= all.length(); cut++) {
            BodyFramer f = new BodyFramer(ResponseHead.CHUNKED);
            ByteBuf a = buf(all.substring(0, cut));
            ByteBuf b = buf(all.substring(cut));
            int n = f.scan(a);
            if (!f.complete()) {
                n += f.scan(b);
            }
            assertThat(f.complete()).as("cut at %d", cut).isTrue();
            assertThat(n).as("cut at %d", cut).isEqualTo(body.length());
            a.release();
            b.release();
        }
    }

    @Test
    void lengthAndCloseDelimitedBodies() throws Exception {
        BodyFramer f = new BodyFramer(5);
        ByteBuf b = buf("helloHTTP");
        assertThat(f.scan(b)).isEqualTo(5);
        assertThat(f.complete()).isTrue();
        b.release();
        BodyFramer c = new BodyFramer(ResponseHead.UNTIL_CLOSE);
        ByteBuf d = buf("anything");
        assertThat(c.scan(d)).isEqualTo(8);
        assertThat(c.complete()).isFalse();
        assertThat(c.untilClose()).isTrue();
        d.release();
        assertThat(new BodyFramer(0).complete()).isTrue();
    }

    @Test
    void brokenChunkedFramingIsRefused() {
        for (String bad : new String[] {"x\r\n", "5\r\nhelloXX", "fffffffffffffffff\r\n", "5\r\rhello"}) {
            BodyFramer f = new BodyFramer(ResponseHead.CHUNKED);
            ByteBuf b = buf(bad);
            assertThatThrownBy(() -> f.scan(b)).as(bad).isInstanceOf(ResponseHead.Malformed.class);
            b.release();
        }
    }
}
