package dev.junction.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link BodylessRequestAggregator} in front of the aggregator: same requests out, bodies untouched, no leaks. */
class BodylessRequestAggregatorTest {
    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpServerCodec(), new BodylessRequestAggregator(), new HttpObjectAggregator(1 << 20));
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void pipelinedGetsBecomeFullRequestsInOrderWithTheirHeaders() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(ascii("GET /a?x=1 HTTP/1.1\r\nHost: one\r\nX-Test: 1\r\n\r\nHEAD /b HTTP/1.0\r\nHost: two\r\n\r\n"));
        FullHttpRequest a = ch.readInbound();
        FullHttpRequest b = ch.readInbound();
        assertThat(a.uri()).isEqualTo("/a?x=1");
        assertThat(a.headers().get("host")).isEqualTo("one");
        assertThat(a.headers().get("x-test")).isEqualTo("1");
        assertThat(a.content().readableBytes()).isZero();
        assertThat(b.method().name()).isEqualTo("HEAD");
        assertThat(b.protocolVersion().text()).isEqualTo("HTTP/1.0");
        assertThat(b.headers().get("host")).isEqualTo("two");
        assertThat((Object) ch.readInbound()).isNull();
        a.release();
        b.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void requestsWithABodyOrExpectGoThroughTheAggregator() {
        EmbeddedChannel ch = channel();
        ByteBuf in = ascii("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
        ch.writeInbound(in);
        FullHttpRequest post = ch.readInbound();
        FullHttpRequest put = ch.readInbound();
        assertThat(post.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(put.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
        post.release();
        put.release();
        assertThat(in.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aHeadWithoutItsEndIsHeldUntilTheRestArrives() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(ascii("GET / HTTP/1.1\r\nHost: a\r\n"));
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(ascii("\r\n"));
        FullHttpRequest req = ch.readInbound();
        assertThat(req.headers().get("host")).isEqualTo("a");
        req.release();
        ch.finishAndReleaseAll();
    }
}
