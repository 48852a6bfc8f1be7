package dev.junction.ingress;

import dev.junction.common.net.NettyTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * Keep-alive connections to endpoints (nginx's {@code upstream keepalive}): one idle list per event
 * loop and endpoint, so a frontend connection always borrows a backend connection living on its
 * own event loop (no cross-thread hand-off, as in Netty's HexDumpProxy example). Idle connections
 * that the endpoint closes leave the list by themselves; at most {@code maxIdle} are kept per
 * endpoint and loop.
 */
final class BackendPool {
    static final String CODEC = "http-client";
    static final String HANDLER = "backend";

    /**
     * Response headers from endpoints: values are still checked (no CR/LF/NUL can reach a client),
     * names are not re-validated per field (the decoder already split them at ':').
     */
    private static final DefaultHttpHeadersFactory RESPONSE_HEADERS = DefaultHttpHeadersFactory.headersFactory()
            .withNameValidation(false);

    private record Key(InetSocketAddress address, boolean tls) {
    }

    private final FastThreadLocal<Map<Key, ArrayDeque<Channel>>> idle = new FastThreadLocal<>() {
        @Override
        protected Map<Key, ArrayDeque<Channel>> initialValue() {
            return new HashMap<>();
        }
    };
    private final NettyTransport transport;
    private final int maxIdle;
    private final Duration connectTimeout;
    private final SslContext clientTls;

    /** {@code transport} must be the event loops' transport; {@code maxIdle} idle connections per loop and endpoint. */
    BackendPool(NettyTransport transport, int maxIdle, Duration connectTimeout) {
        this.transport = transport;
        this.maxIdle = maxIdle;
        this.connectTimeout = connectTimeout;
        try {
            // ingress-nginx's proxy_ssl_verify defaults to off.
            this.clientTls = SslContextBuilder.forClient().sslProvider(TlsProvider.get()).trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .protocols("TLSv1.3", "TLSv1.2").build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An idle connection on {@code loop} to {@code address}, if one is open; must run on {@code loop}. */
    Channel pollIdle(EventLoop loop, InetSocketAddress address, boolean tls) {
        ArrayDeque<Channel> q = idle.get().get(new Key(address, tls));
        while (q != null && !q.isEmpty()) {
            Channel c = q.pollLast();
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }

    /**
     * Connects a new backend connection on {@code loop}; its pipeline has the HTTP client codec and a
     * {@link BackendHandler} (and, on the lean path, the default, a
     * {@link LeanResponseHandler} before the codec).
     */
    ChannelFuture connect(EventLoop loop, InetSocketAddress address, boolean tls) {
        Bootstrap b = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls) {
                            ch.pipeline().addLast(clientTls.newHandler(ch.alloc(),
                                    address.getHostString(), address.getPort()));
                        }
                        if (ProxyExchange.LEAN) {
                            ch.pipeline().addLast(new LeanResponseHandler());
                        }
                        // RFC 9112 §6.3 rule 3: a response with Transfer-Encoding and Content-Length is framed
                        // by the transfer coding and the length is dropped; Netty 4.2's decoder with its
                        // RFC 9112 mode on fails such a response instead (and the client waited forever).
                        ch.pipeline().addLast(CODEC, new HttpClientCodec(new HttpDecoderConfig().setMaxInitialLineLength(8192)
                                .setMaxHeaderSize(65536).setMaxChunkSize(65536).setHeadersFactory(RESPONSE_HEADERS)
                                .setUseRfc9112TransferEncoding(false), false, false));
                        ch.pipeline().addLast(HANDLER, new BackendHandler());
                    }
                });
        ChannelFuture f = address.isUnresolved() ? b.connect(address.getHostString(), address.getPort()) : b.connect(address);
        Channel ch = f.channel();
        // An idle connection the endpoint closes leaves its list (runs on the same event loop).
        ch.closeFuture().addListener(x -> {
            ArrayDeque<Channel> q = idle.get().get(new Key(address, tls));
            if (q != null) {
                q.remove(ch);
            }
        });
        return f;
    }

    /** Returns a connection after a complete keep-alive response; closes it when the list is full. */
    void release(Channel c, InetSocketAddress address, boolean tls) {
        if (!c.isActive()) {
            return;
        }
        Map<Key, ArrayDeque<Channel>> m = idle.get();
        Key k = new Key(address, tls);
        ArrayDeque<Channel> q = m.computeIfAbsent(k, x -> new ArrayDeque<>());
        if (q.size() >= maxIdle) {
            c.close();
            return;
        }
        q.addLast(c);
    }
}
