package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of an accepted client connection:
 * <pre>
 * [HAProxyMessageDecoder → ProxyProtocolHandler]            (--enable-proxy-protocol, v1 and v2)
 * plain:  [LeanRequestDecoder →] LeanServerCodec (HttpServerCodec with -Djunction.ingress.leanHttp1=false) → RequestGuardHandler → BodylessRequestAggregator → HttpObjectAggregator → ProxyHandler
 * TLS:    SniHandler(CertificateStore) → ALPN:
 *           h2       → Http2FrameCodec → Http2MultiplexHandler(per stream:
 *                      Http2StreamFrameToHttpObjectCodec → RequestGuardHandler → aggregator → ProxyHandler)
 *           http/1.1 → as plain
 * </pre>
 * The TLS handshake (ClientHello included) must finish within 10 s (or the idle timeout if
 * shorter), so half-open TLS connections are closed.
 */
final class FrontendInitializer extends ChannelInitializer<SocketChannel> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FrontendInitializer.class);
    static final String HTTP_CODEC = "http";
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final ProxyContext px;
    private final Optional<CertificateStore> tls;
    private final boolean proxyProtocol;
    private volatile int listenerPort;

    FrontendInitializer(ProxyContext px, Optional<CertificateStore> tls, boolean proxyProtocol) {
        this.px = requireNonNull(px, "px");
        this.tls = requireNonNull(tls, "tls");
        this.proxyProtocol = proxyProtocol;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (listenerPort == 0 && ch.localAddress() != null) {
            listenerPort = ch.localAddress().getPort();
        }
        if (proxyProtocol) {
            p.addLast(new HAProxyMessageDecoder());
            p.addLast(new ProxyProtocolHandler());
        }
        if (tls.isPresent()) {
            p.addLast(new SniHandler(tls.get(), Math.min(HANDSHAKE_TIMEOUT_MILLIS, px.limits().idleTimeout().toMillis())));
            p.addLast(new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                @Override
                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                        http2(ctx.pipeline());
                    } else {
                        http1(ctx.pipeline(), true);
                    }
                }

                @Override
                protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                    // Resets, timeouts and scanners are routine at an edge proxy: no stack trace.
                    log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
                    ctx.close();
                }
            });
        } else {
            http1(p, false);
        }
    }

    private void http1(ChannelPipeline p, boolean https) {
        ProxyContext.Limits l = px.limits();
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(l.maxInitialLine())
                .setMaxHeaderSize(l.maxHeaderSize()).setMaxChunkSize(65536);
        if (LeanRequestDecoder.ENABLED) {
            p.addLast(new LeanRequestDecoder(l.maxInitialLine(), l.maxHeaderSize()));
        }
        p.addLast(HTTP_CODEC, ProxyExchange.LEAN ? new LeanServerCodec(config) : new HttpServerCodec(config));
        p.addLast(new RequestGuardHandler(px, true, false));
        p.addLast(new BodylessRequestAggregator());
        p.addLast(new HttpObjectAggregator((int) Math.min(Integer.MAX_VALUE, l.maxBodySize()), true));
        p.addLast(new ProxyHandler(px, https, false, listenerPort));
    }

    private void http2(ChannelPipeline p) {
        ProxyContext.Limits l = px.limits();
        p.addLast(Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(l.maxHeaderSize()).maxConcurrentStreams(256))
                .build());
        p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true));
                ch.pipeline().addLast(new RequestGuardHandler(px, false, true));
                ch.pipeline().addLast(new HttpObjectAggregator((int) Math.min(Integer.MAX_VALUE, l.maxBodySize()), true));
                ch.pipeline().addLast(new ProxyHandler(px, true, true, listenerPort));
            }
        }));
        p.addLast(new IdleStateHandler(0, 0, l.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent) {
                    ctx.close();
                } else {
                    ctx.fireUserEventTriggered(evt);
                }
            }
        });
    }

    /** Records the PROXY protocol's source address on the connection, then leaves the pipeline. */
    static final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HAProxyMessage m) {
                try {
                    if (m.command() == HAProxyCommand.PROXY && m.sourceAddress() != null) {
                        ctx.channel().attr(ProxyHandler.CLIENT_ADDRESS)
                                .set(new InetSocketAddress(m.sourceAddress(), m.sourcePort()));
                    }
                } finally {
                    m.release();
                }
                ctx.pipeline().remove(this);
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
