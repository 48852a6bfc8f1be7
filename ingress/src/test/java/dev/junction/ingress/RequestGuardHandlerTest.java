package dev.junction.ingress;

import dev.junction.common.net.NettyTransport;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link RequestGuardHandler} without sockets: what passes, what is refused, and that no buffer leaks. */
class RequestGuardHandlerTest {
    private static final ProxyContext PX = new ProxyContext(new RouteTableHolder(),
            new BackendPool(NettyTransport.NIO, 1, Duration.ofSeconds(1)), new Http2BackendPool(NettyTransport.NIO, Duration.ofSeconds(1)), new IngressMetrics(),
            ProxyContext.Limits.DEFAULTS);

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpServerCodec(new HttpDecoderConfig().setMaxHeaderSize(1024)),
                new RequestGuardHandler(PX, false, false), new HttpObjectAggregator(1 << 20));
    }

    private static String response(EmbeddedChannel ch) {
        ByteBuf out = ch.readOutbound();
        try {
            return out == null ? "" : out.toString(StandardCharsets.US_ASCII);
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    @Test
    void wellFormedRequestPasses() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", StandardCharsets.US_ASCII));
        FullHttpRequest req = ch.readInbound();
        assertThat(req.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
        assertThat(req.release()).isTrue();
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void contentLengthWithTransferEncodingIsRefusedAndReleased() {
        EmbeddedChannel ch = channel();
        ByteBuf in = Unpooled.copiedBuffer("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII);
        ch.writeInbound(in);
        assertThat(in.refCnt()).isZero();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(response(ch)).startsWith("HTTP/1.1 400 ").contains("connection: close");
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void oversizedHeaderIs431() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(2000) + "\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(response(ch)).startsWith("HTTP/1.1 431 ");
        ch.finishAndReleaseAll();
    }

    @Test
    void bodyOverTheDefaultLimitIs413() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n", StandardCharsets.US_ASCII));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(response(ch)).startsWith("HTTP/1.1 413 ");
        ch.finishAndReleaseAll();
    }
}
