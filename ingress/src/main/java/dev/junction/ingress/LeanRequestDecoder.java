package dev.junction.ingress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Arrays;

/**
 * The first HTTP handler of a client connection on the lean path
 * (on by default; off with {@code -Djunction.ingress.leanHttp1=false} or {@code -Djunction.ingress.leanRequests=false}),
 * in front of the {@link LeanServerCodec}: request heads are parsed from the bytes by
 * {@link RequestHead} and go straight to the {@link ProxyHandler} (no {@code HttpRequestDecoder},
 * header map, aggregators or pipeline hops), after their method is queued on the codec (so its
 * encoder frames local answers in order) and {@link RequestGuardHandler} has stopped the idle
 * wait. The first request that is not a plain bodyless HTTP/1.1 one ({@link RequestHead#NOT_LEAN}:
 * bodies, upgrades, HEAD, HTTP/1.0, HTTP/2 prior knowledge, anything malformed or oversize) ends
 * the lean path for the connection: its bytes and all that follow go to Netty's decoder, which
 * answers, refuses or proxies them exactly as on the codec path. Requests already delivered are
 * ahead of it in the {@link ProxyHandler}'s queue, so responses keep their order.
 */
final class LeanRequestDecoder extends ChannelInboundHandlerAdapter {
    /**
     * Whether client connections get this decoder: the lean path is on, request heads are
     * serialised as bytes ({@code junction.ingress.rawRequestHeads}) and
     * {@code -Djunction.ingress.leanRequests=false} does not turn the request side off.
     */
    static final boolean ENABLED = ProxyExchange.LEAN && ProxyExchange.RAW_HEADS
            && !"false".equals(System.getProperty("junction.ingress.leanRequests"));
    /** Largest head taken on the lean path, bytes; longer ones go to Netty's decoder. */
    static final int MAX_LEAN_HEAD = 4096;

    private final int maxHead;
    private byte[] pending = new byte[512];
    private int pendingLength;
    private boolean passThrough;
    private ChannelHandlerContext proxyCtx;
    private ProxyHandler proxy;
    private RequestGuardHandler guard;
    private LeanServerCodec codec;

    /**
     * @param maxInitialLine the codec's request-line limit (414), bytes
     * @param maxHeaderSize  the codec's header-block limit (431), bytes
     */
    LeanRequestDecoder(int maxInitialLine, int maxHeaderSize) {
        // Well inside both limits, so a head the codec would refuse is never taken here.
        this.maxHead = Math.max(0, Math.min(MAX_LEAN_HEAD, Math.min(maxInitialLine, maxHeaderSize) - 64));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (passThrough || !(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int n = in.readableBytes();
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + n, 2 * pending.length));
        }
        in.getBytes(in.readerIndex(), pending, pendingLength, n);
        in.release();
        pendingLength += n;
        int p = 0;
        try {
            while (p < pendingLength) {
                RequestHead head = RequestHead.parse(pending, p, pendingLength, maxHead);
                if (head == null) {
                    break;
                }
                if (head == RequestHead.NOT_LEAN) {
                    fallBack(ctx, p);
                    return;
                }
                p += head.length();
                if (!ctx.channel().isActive()) {
                    p = pendingLength;
                    return;
                }
                deliver(ctx, head);
            }
        } finally {
            consumed(p);
        }
    }

    /** Drops the first {@code p} pending bytes (heads delivered). */
    private void consumed(int p) {
        if (pending == null) {
            return;
        }
        int rest = pendingLength - p;
        if (rest > 0 && p > 0) {
            System.arraycopy(pending, p, pending, 0, rest);
        }
        pendingLength = rest;
        if (rest == 0 && pending.length > 4 * 1024) {
            pending = new byte[512];
        }
    }

    private void deliver(ChannelHandlerContext ctx, RequestHead head) {
        if (proxy == null) {
            proxyCtx = ctx.pipeline().context(ProxyHandler.class);
            proxy = (ProxyHandler) proxyCtx.handler();
            guard = ctx.pipeline().get(RequestGuardHandler.class);
            codec = (LeanServerCodec) ctx.pipeline().get(FrontendInitializer.HTTP_CODEC);
        }
        codec.expect(head.method());
        guard.requestReceived();
        proxy.channelRead(proxyCtx, head);
    }

    /** Hands {@code pending[from, end)} and everything after it to Netty's decoder. */
    private void fallBack(ChannelHandlerContext ctx, int from) {
        passThrough = true;
        ByteBuf rest = ctx.alloc().buffer(pendingLength - from);
        rest.writeBytes(pending, from, pendingLength - from);
        pending = null;
        pendingLength = 0;
        ctx.fireChannelRead(rest);
        ctx.pipeline().remove(this);
    }
}
