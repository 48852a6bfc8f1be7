package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Sits right after the HTTP decoder and refuses what must not reach an endpoint, before the body
 * is buffered:
 * <ul>
 *   <li>a request the decoder could not parse → 400; request line too long → 414; header block
 *       too large → 431 (RFC 6585 §5);</li>
 *   <li>request smuggling (RFC 9112 §6.1, §6.3): both {@code Content-Length} and
 *       {@code Transfer-Encoding}, a transfer coding other than {@code chunked}, or an HTTP/1.1
 *       request without {@code Host} → 400, and the connection is closed;</li>
 *   <li>a body larger than the matched Ingress's {@code proxy-body-size} (default 1m, capped by the
 *       controller's hard limit) → 413, announced or counted while it streams in;</li>
 *   <li>timeouts (nginx {@code client_header_timeout}/{@code keepalive_timeout} and
 *       {@code client_body_timeout}): a connection must deliver a complete request head within the
 *       idle timeout after it opens or after the previous response, so a slowloris client that
 *       trickles header bytes is closed; a pause longer than the body timeout inside a body → 408.</li>
 * </ul>
 * Each refusal closes the connection. After a WebSocket upgrade the handler steps aside.
 */
final class RequestGuardHandler extends ChannelDuplexHandler {
    private final ProxyContext px;
    private final boolean timers;
    private final boolean http2;
    private ScheduledFuture<?> ticker;
    /** {@link System#nanoTime()} by which the current wait must end; 0 = no deadline. */
    private long deadline;
    private boolean deadlineIsBody;
    private ChannelHandlerContext ctx;
    private boolean inBody;
    private boolean refusing;
    private boolean upgraded;
    private long remaining;

    /**
     * @param timers whether to enforce the idle/header/body timeouts (off for HTTP/2 streams, whose
     *               connection has its own idle handling)
     */
    RequestGuardHandler(ProxyContext px, boolean timers, boolean http2) {
        this.px = requireNonNull(px, "px");
        this.timers = timers;
        this.http2 = http2;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            startTicker(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startTicker(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopTicker();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopTicker();
    }

    /**
     * Deadlines are plain fields checked by one periodic task per connection (a quarter of the
     * shortest timeout, 50 ms to 1 s), so a request costs no timer scheduling.
     */
    private void startTicker(ChannelHandlerContext ctx) {
        if (!timers || ticker != null) {
            return;
        }
        armIdle(ctx);
        long shortest = Math.min(px.limits().idleTimeout().toMillis(), px.limits().bodyTimeout().toMillis());
        long period = Math.max(50, Math.min(1000, shortest / 4));
        ticker = ctx.executor().scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        if (deadline == 0 || upgraded || System.nanoTime() - deadline < 0) {
            return;
        }
        deadline = 0;
        if (deadlineIsBody) {
            refuse(ctx, Unpooled.EMPTY_BUFFER, HttpResponseStatus.REQUEST_TIMEOUT);
        } else {
            ctx.close();
        }
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
    }

    /** Stops all checks (the connection became a WebSocket relay). */
    void upgraded() {
        upgraded = true;
        cancel();
        stopTicker();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (upgraded || !(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (refusing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest req) {
            cancel();
            Optional<HttpResponseStatus> refusal = check(req);
            if (refusal.isPresent()) {
                refuse(ctx, msg, refusal.get());
                return;
            }
            // An HTTP/1.1 request with neither Content-Length nor Transfer-Encoding has no body
            // (RFC 9112 §6.3), so its route's body limit is not looked up.
            long limit = !http2 && !req.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
                    && !req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING) ? 0 : bodyLimit(req);
            if (HttpUtil.getContentLength(req, -1L) > limit) {
                refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
                return;
            }
            remaining = limit;
            inBody = true;
        }
        if (msg instanceof HttpContent c) {
            remaining -= c.content().readableBytes();
            if (remaining < 0) {
                refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
                return;
            }
            if (c instanceof LastHttpContent) {
                inBody = false;
                cancel();
            }
        }
        if (inBody) {
            arm(ctx, px.limits().bodyTimeout().toMillis(), true);
        }
        ctx.fireChannelRead(msg);
    }

    private Optional<HttpResponseStatus> check(HttpRequest req) {
        DecoderResult result = req.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpHeaderException) {
                return Optional.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
            }
            if (cause instanceof TooLongHttpLineException) {
                return Optional.of(HttpResponseStatus.REQUEST_URI_TOO_LONG);
            }
            if (cause instanceof TooLongFrameException) {
                return Optional.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE);
            }
            return Optional.of(HttpResponseStatus.BAD_REQUEST);
        }
        if (http2) {
            return Optional.empty();
        }
        var h = req.headers();
        if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
                return Optional.of(HttpResponseStatus.BAD_REQUEST);
            }
            var codings = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
            if (codings.size() != 1 || !HttpHeaderValues.CHUNKED.contentEqualsIgnoreCase(codings.get(0).trim())) {
                return Optional.of(HttpResponseStatus.BAD_REQUEST);
            }
        }
        if (h.getAll(HttpHeaderNames.CONTENT_LENGTH).size() > 1) {
            return Optional.of(HttpResponseStatus.BAD_REQUEST);
        }
        if (req.protocolVersion().equals(HttpVersion.HTTP_1_1) && h.getAll(HttpHeaderNames.HOST).size() != 1) {
            return Optional.of(HttpResponseStatus.BAD_REQUEST);
        }
        return Optional.empty();
    }

    private long bodyLimit(HttpRequest req) {
        long cap = px.limits().maxBodySize();
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String host = HostMatching.normalize(req.headers().get(HttpHeaderNames.HOST, ""));
        long limit = px.routes().get().lookup(host, path.startsWith("/") ? path : "/" + path)
                .map(r -> r.annotations().proxyBodySize()).orElse(IngressAnnotations.DEFAULT_BODY_SIZE);
        return limit == 0 ? cap : Math.min(limit, cap);
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status) {
        ReferenceCountUtil.release(msg);
        refusing = true;
        cancel();
        byte[] body = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(resp, body.length);
        if (!http2) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        px.metrics().request(null, null, status.code());
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean last = msg instanceof LastHttpContent;
        ctx.write(msg, promise);
        if (last && !upgraded && !inBody && !refusing) {
            armIdle(ctx);
        }
    }

    /**
     * A complete bodyless request head was read in front of the HTTP codec
     * ({@link LeanRequestDecoder}), so {@link #channelRead} did not see it: stops the idle/header
     * wait as {@link #channelRead} does for a request.
     */
    void requestReceived() {
        cancel();
    }

    /**
     * A complete response was written as bytes below the HTTP codec (the lean path of
     * {@link ProxyExchange}), so {@link #write} did not see its last part: starts the idle wait for
     * the next request as {@link #write} would.
     */
    void responseWrittenRaw() {
        if (!upgraded && !inBody && !refusing) {
            armIdle(ctx);
        }
    }

    private void armIdle(ChannelHandlerContext ctx) {
        arm(ctx, px.limits().idleTimeout().toMillis(), false);
    }

    private void arm(ChannelHandlerContext ctx, long millis, boolean body) {
        if (!timers || upgraded) {
            return;
        }
        deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis) | 1;
        deadlineIsBody = body;
    }

    private void cancel() {
        deadline = 0;
    }
}
