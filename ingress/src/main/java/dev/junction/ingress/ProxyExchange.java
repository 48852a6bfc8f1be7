package dev.junction.ingress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client request from routing to the last byte of its response (all on the client
 * connection's event loop): {@link Router} decides; a local answer (redirect, 403, 404, 503) is
 * written directly; otherwise an endpoint is chosen round-robin (or by the affinity cookie), a
 * pooled keep-alive connection or a new one is used, a connect failure moves on to the next
 * endpoint (at most 3 tries, then 502), a pooled connection that turns out closed is replaced by a
 * fresh one, and the response streams back as it arrives. Headers follow ingress-nginx's
 * defaults: X-Request-ID (kept or a new 32-hex id), X-Real-IP and X-Forwarded-For (the client
 * address; ingress-nginx replaces, not appends, unless use-forwarded-headers), X-Forwarded-Host,
 * X-Forwarded-Port, X-Forwarded-Proto, X-Scheme; hop-by-hop headers (RFC 9110 §7.6.1) are removed
 * both ways ({@link HopByHop}). Per request, without changing what goes on the wire: a bodyless
 * HTTP/1 request's head is serialised once as bytes ({@link RequestHeadWriter}) and reused by
 * retries; a response head that arrives with its whole body in one read is written to an HTTP/1
 * client as one message (one encoder pass, one flush); HTTP/1 writes carry no promise. On the lean
 * path (the default; {@code -Djunction.ingress.leanHttp1=false} turns it off) the request may be a {@link RequestHead} read
 * from the bytes by {@link LeanRequestDecoder} (forwarded from its byte ranges) and the response is
 * relayed as bytes ({@link LeanResponseHandler}).
 */
final class ProxyExchange implements LeanResponseHandler.Sink {
    private static final int MAX_ATTEMPTS = 3;
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

    private final ProxyHandler handler;
    private final ChannelHandlerContext ctx;
    private final ProxyContext px;
    /** The client's request on the codec path; null for a lean one ({@link #head}). */
    private final FullHttpRequest request;
    /** The client's request head read by {@link LeanRequestDecoder}; null on the codec path. */
    private final RequestHead head;
    private final HttpMethod method;
    /** Whether the client spoke HTTP/1.1 (else HTTP/1.0, or HTTP/2 translated to 1.1). */
    private final boolean http11;
    private final boolean keepAlive;
    private Route route;
    private Upstream upstream;
    private FullHttpRequest outbound;
    /** The serialised head of a bodyless HTTP/1 request (see {@link RequestHeadWriter#encodeForwarded}); {@link #outbound} is then null. */
    private ByteBuf rawHead;
    /**
     * Whether bodyless requests are serialised by {@link RequestHeadWriter} rather than Netty's
     * encoder ({@code -Djunction.ingress.rawRequestHeads=false} turns it off).
     */
    static final boolean RAW_HEADS = !"false".equals(System.getProperty("junction.ingress.rawRequestHeads"));
    /**
     * Whether the lean HTTP/1.1 path is on (the default; {@code -Djunction.ingress.leanHttp1=false}
     * turns it off): the response to a request sent by {@link #rawHead} is parsed by
     * {@link LeanResponseHandler} and relayed as bytes below the client's {@link LeanServerCodec}.
     */
    static final boolean LEAN = !"false".equals(System.getProperty("junction.ingress.leanHttp1"));
    /** The backend's lean handler while this exchange's response is relayed as bytes; else null. */
    private LeanResponseHandler lean;
    private LeanServerCodec leanCodec;
    private ChannelHandlerContext codecCtx;
    /** Whether a close-delimited body is sent to the HTTP/1.1 client as chunks. */
    private boolean chunkify;
    private int endpointIndex;
    private int attemptsLeft;
    private boolean reused;
    private boolean retriedFresh;
    private Channel backend;
    private BackendHandler backendHandler;
    private boolean backendKeepAlive;
    private boolean responseStarted;
    private boolean done;
    private boolean relaying;
    private boolean websocket;
    private boolean grpc;
    private long sentNanos;
    private Optional<String> setCookie = Optional.empty();
    /** {@link System#nanoTime()} by which the endpoint must have answered completely; 0 = none. */
    private long deadline;

    ProxyExchange(ProxyHandler handler, ChannelHandlerContext ctx, FullHttpRequest request) {
        this.handler = handler;
        this.ctx = ctx;
        this.px = handler.px;
        this.request = request;
        this.head = null;
        this.method = request.method();
        this.http11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        this.keepAlive = handler.http2 || HttpUtil.isKeepAlive(request);
    }

    /** An exchange for a lean request (HTTP/1.1, bodyless, no upgrade; see {@link RequestHead}). */
    ProxyExchange(ProxyHandler handler, ChannelHandlerContext ctx, RequestHead head) {
        this.handler = handler;
        this.ctx = ctx;
        this.px = handler.px;
        this.request = null;
        this.head = head;
        this.method = head.method();
        this.http11 = true;
        this.keepAlive = head.keepAlive();
    }

    void begin() {
        // HTTP/2 :authority arrives as Host (HttpConversionUtil's request header translation).
        String host = head != null ? head.host() : request.headers().get(HttpHeaderNames.HOST, "");
        String clientIp = handler.clientIp();
        Router.Decision d = head != null
                ? Router.route(px.routes().get(), host, head.target(), handler.https, clientIp, head::header)
                : Router.route(px.routes().get(), host, request.uri(), handler.https, clientIp,
                        name -> Optional.ofNullable(request.headers().get(name)));
        if (d instanceof Router.Respond r) {
            respondLocal(r.status(), r.location(), r.route().orElse(null), null);
            return;
        }
        Router.Forward f = (Router.Forward) d;
        route = f.route();
        upstream = f.upstream();
        if (upstream.endpoints().isEmpty()) {
            respondLocal(503, Optional.empty(), route, upstream);
            return;
        }
        if (upstream.protocol() == BackendProtocol.GRPC && !handler.http2) {
            // gRPC needs HTTP/2 end to end; a plain HTTP/1.1 client cannot be gRPC.
            respondLocal(502, Optional.empty(), route, upstream);
            return;
        }
        grpc = upstream.protocol() == BackendProtocol.GRPC;
        websocket = request != null && !handler.http2 && isWebSocketUpgrade(request);
        HttpMethod m = method;
        if (head != null) {
            // A lean request (bodyless HTTP/1.1, no upgrade): forwarded straight from its bytes.
            String h = host.isEmpty() ? clientIp : host;
            rawHead = RequestHeadWriter.encodeForwarded(ctx.alloc(), head, f.uri(), h, clientIp,
                    HostMatching.normalize(h), handler.listenerPortText, handler.https ? HTTPS : HTTP,
                    !m.equals(HttpMethod.GET));
        } else if (RAW_HEADS && !handler.http2 && !grpc && !websocket && !request.content().isReadable()
                && request.trailingHeaders().isEmpty() && !m.equals(HttpMethod.HEAD) && !m.equals(HttpMethod.CONNECT)) {
            // A bodyless HTTP/1 request: its head is written as bytes from the decoded fields (the
            // same fields outboundRequest sets). HEAD/CONNECT stay on the codec path: the client
            // codec's decoder must know them to frame the response.
            HopByHop.strip(request.headers());
            String h = host.isEmpty() ? clientIp : host;
            rawHead = RequestHeadWriter.encodeForwarded(ctx.alloc(), m, f.uri(), request.headers(), h, clientIp,
                    HostMatching.normalize(h), handler.listenerPortText, handler.https ? HTTPS : HTTP,
                    !m.equals(HttpMethod.GET));
        } else {
            outbound = outboundRequest(f.uri(), host, clientIp);
        }
        endpointIndex = chooseEndpoint();
        attemptsLeft = Math.min(MAX_ATTEMPTS, upstream.endpoints().size());
        deadline = System.nanoTime() + px.limits().upstreamTimeout().toNanos() | 1;
        attempt(!websocket);
    }

    private static boolean isWebSocketUpgrade(FullHttpRequest req) {
        return req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                && req.headers().contains(HttpHeaderNames.UPGRADE);
    }

    private int chooseEndpoint() {
        Optional<String> cookieName = route.annotations().affinityCookie();
        if (cookieName.isPresent()) {
            String header = head != null ? head.header("cookie").orElse(null)
                    : request.headers().get(HttpHeaderNames.COOKIE);
            if (header != null) {
                for (Cookie c : ServerCookieDecoder.LAX.decode(header)) {
                    if (c.name().equals(cookieName.get())) {
                        List<InetSocketAddress> eps = upstream.endpoints();
                        for (int i = 0; i < eps.size(); i++) {
                            if (affinityValue(eps.get(i)).equals(c.value())) {
                                return i;
                            }
                        }
                    }
                }
            }
            int i = upstream.nextIndex();
            setCookie = Optional.of(cookieName.get() + "=" + affinityValue(upstream.endpoints().get(i)) + "; Path="
                    + (route.path().isEmpty() || route.regex().isPresent() ? "/" : route.path()) + "; HttpOnly");
            return i;
        }
        return upstream.nextIndex();
    }

    /** The affinity cookie value of an endpoint: a stable hash of {@code ip:port}, hex. */
    static String affinityValue(InetSocketAddress a) {
        long h = 1125899906842597L;
        String s = a.getHostString() + ":" + a.getPort();
        for (int i = 0; i < s.length(); i++) {
            h = 31 * h + s.charAt(i);
        }
        return Long.toHexString(h ^ (h >>> 29));
    }

    /**
     * The request to send upstream. It shares (and edits) the client request's headers, which the
     * decoder already validated: nothing reads them after this point.
     */
    private FullHttpRequest outboundRequest(String uri, String host, String clientIp) {
        ByteBuf body = request.content().retain();
        HttpHeaders h = request.headers();
        String upgrade = websocket ? h.get(HttpHeaderNames.UPGRADE) : null;
        HopByHop.strip(h);
        if (handler.http2) {
            h.remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
            h.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
            h.remove(HttpConversionUtil.ExtensionHeaderNames.PATH.text());
            h.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text());
            h.remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text());
        }
        DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, body, h,
                request.trailingHeaders());
        if (host.isEmpty()) {
            host = clientIp;
        }
        h.set(HttpHeaderNames.HOST, host);
        if (!h.contains(X_REQUEST_ID)) {
            h.set(X_REQUEST_ID, requestId());
        }
        h.set(X_REAL_IP, clientIp);
        h.set(X_FORWARDED_FOR, clientIp);
        h.set(X_FORWARDED_HOST, HostMatching.normalize(host));
        h.set(X_FORWARDED_PORT, handler.listenerPortText);
        AsciiString scheme = handler.https ? HTTPS : HTTP;
        h.set(X_FORWARDED_PROTO, scheme);
        h.set(X_SCHEME, scheme);
        if (body.isReadable() || !(method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD))) {
            HttpUtil.setContentLength(out, body.readableBytes());
        }
        if (websocket) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            h.set(HttpHeaderNames.UPGRADE, upgrade);
        }
        if (grpc) {
            // The one TE value HTTP/2 allows, and the one gRPC servers require.
            h.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
        }
        return out;
    }

    private static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_SCHEME = AsciiString.cached("x-scheme");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** 32 random hex digits, as ingress-nginx's {@code $req_id}; ASCII bytes, so no String is encoded. */
    private static AsciiString requestId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] out = new byte[32];
        long a = r.nextLong();
        long b = r.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
        }
        return new AsciiString(out, false);
    }

    private void attempt(boolean allowPooled) {
        InetSocketAddress addr = upstream.endpoints().get(endpointIndex);
        if (grpc) {
            reused = false;
            px.h2pool().openStream(ctx.channel().eventLoop(), addr).addListener(f -> {
                if (done) {
                    if (f.isSuccess()) {
                        ((Channel) f.getNow()).close();
                    }
                    return;
                }
                if (f.isSuccess()) {
                    send((Channel) f.getNow());
                } else {
                    connectFailed(false);
                }
            });
            return;
        }
        boolean tls = upstream.protocol() == BackendProtocol.HTTPS;
        Channel pooled = allowPooled ? px.pool().pollIdle(ctx.channel().eventLoop(), addr, tls) : null;
        if (pooled != null) {
            reused = true;
            send(pooled);
            return;
        }
        reused = false;
        px.pool().connect(ctx.channel().eventLoop(), addr, tls).addListener((ChannelFuture f) -> {
            if (done) {
                if (f.isSuccess()) {
                    f.channel().close();
                }
                return;
            }
            if (f.isSuccess()) {
                send(f.channel());
            } else {
                connectFailed(allowPooled);
            }
        });
    }

    private void connectFailed(boolean allowPooled) {
        px.metrics().connectFailure(upstream);
        if (--attemptsLeft > 0) {
            endpointIndex = (endpointIndex + 1) % upstream.endpoints().size();
            attempt(allowPooled);
        } else {
            respondLocal(502, Optional.empty(), route, upstream);
        }
    }

    private void send(Channel c) {
        backend = c;
        backendHandler = c.pipeline().get(BackendHandler.class);
        backendHandler.attach(this);
        c.config().setAutoRead(ctx.channel().isWritable());
        sentNanos = System.nanoTime();
        if (rawHead != null) {
            if (LEAN && !handler.http2) {
                startLean(c);
            }
            // Written below the client codec (its encoder keeps no state for it; the codec's decoder
            // frames a response to an unknown method as a GET's). No promise per request: a failed
            // write fires exceptionCaught, BackendHandler closes the connection and tells this
            // exchange (onBackendClosed → retryOrFail), as the listener below does.
            c.pipeline().context(BackendPool.CODEC).writeAndFlush(rawHead.retainedDuplicate(), c.voidPromise());
            return;
        }
        // A new message around the same (already rewritten) headers and a duplicate of the body, so
        // a retry can send it again; retainedDuplicate() would copy every header per request.
        FullHttpRequest msg = new DefaultFullHttpRequest(outbound.protocolVersion(), outbound.method(), outbound.uri(),
                outbound.content().retainedDuplicate(), outbound.headers(), outbound.trailingHeaders());
        if (grpc) {
            c.writeAndFlush(msg).addListener((ChannelFuture f) -> {
                if (!f.isSuccess() && !done && !responseStarted && backend == c) {
                    backendHandler.detach();
                    c.close();
                    retryOrFail();
                }
            });
        } else {
            c.writeAndFlush(msg, c.voidPromise());
        }
    }

    private void startLean(Channel c) {
        LeanResponseHandler l = c.pipeline().get(LeanResponseHandler.class);
        ChannelHandlerContext cc = ctx.pipeline().context(FrontendInitializer.HTTP_CODEC);
        if (l != null && cc != null && cc.handler() instanceof LeanServerCodec codec) {
            lean = l;
            leanCodec = codec;
            codecCtx = cc;
            l.start(this);
        }
    }

    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * The lean path's response head: the same decisions as {@link #prepareResponse} for an HTTP/1
     * client (hop-by-hop fields dropped, affinity cookie, chunked framing for a close-delimited
     * body to an HTTP/1.1 client, {@code Connection} as the client needs), written as bytes.
     */
    @Override
    public void onLeanHead(ResponseHead h) {
        if (done) {
            return;
        }
        responseStarted = true;
        status = h.status;
        backendKeepAlive = h.keepAlive();
        long framing = h.framing(false);
        boolean chunked = (h.hopFlags & HopByHop.CHUNKED) != 0;
        if (!chunked && framing == ResponseHead.UNTIL_CLOSE) {
            if (http11) {
                chunked = true;
                chunkify = true;
            } else {
                closeAfter = true;
            }
        }
        String connection = !keepAlive || closeAfter ? "close"
                : !http11 ? "keep-alive" : null;
        ByteBuf out = h.encode(ctx.alloc(), chunked, setCookie.isPresent() ? "set-cookie" : null, setCookie.orElse(""),
                chunked ? "transfer-encoding" : null, "chunked", connection != null ? "connection" : null,
                connection == null ? "" : connection);
        codecCtx.write(out, codecCtx.voidPromise());
        leanCodec.skipResponse();
        unflushed = true;
    }

    @Override
    public void onLeanBody(ByteBuf body) {
        if (done) {
            body.release();
            return;
        }
        if (chunkify) {
            ByteBuf size = ctx.alloc().buffer(12);
            size.writeCharSequence(Integer.toHexString(body.readableBytes()), StandardCharsets.US_ASCII);
            size.writeShort(('\r' << 8) | '\n');
            codecCtx.write(size, codecCtx.voidPromise());
            codecCtx.write(body, codecCtx.voidPromise());
            codecCtx.write(Unpooled.wrappedBuffer(CRLF_BYTES), codecCtx.voidPromise());
        } else {
            codecCtx.write(body, codecCtx.voidPromise());
        }
        unflushed = true;
    }

    private static final byte[] CRLF_BYTES = {'\r', '\n'};

    @Override
    public void onLeanEnd(boolean reusable) {
        if (done) {
            return;
        }
        if (chunkify) {
            codecCtx.write(Unpooled.wrappedBuffer(LAST_CHUNK), codecCtx.voidPromise());
        }
        ctx.flush();
        unflushed = false;
        RequestGuardHandler guard = ctx.pipeline().get(RequestGuardHandler.class);
        if (guard != null) {
            guard.responseWrittenRaw();
        }
        finish(backendKeepAlive && reusable);
    }

    @Override
    public void onLeanMalformed(boolean started) {
        if (done) {
            return;
        }
        lean = null;
        if (backendHandler != null) {
            backendHandler.detach();
        }
        if (backend != null) {
            backend.close();
        }
        if (!started) {
            // nginx: "upstream sent invalid header" → 502.
            respondLocal(502, Optional.empty(), route, upstream);
            return;
        }
        done = true;
        cancelTimeout();
        px.metrics().request(route, upstream, status);
        release();
        ctx.flush();
        ctx.close();
    }

    private void detachLean() {
        if (lean != null) {
            lean.detach();
            lean = null;
        }
    }

    /** The backend went away before any response byte: retry once on a fresh connection if the pooled one was stale. */
    private void retryOrFail() {
        detachLean();
        if (reused && !retriedFresh && idempotent()) {
            retriedFresh = true;
            backend = null;
            attempt(false);
        } else {
            backend = null;
            connectFailed(false);
        }
    }

    private boolean idempotent() {
        HttpMethod m = method;
        return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)
                || m.equals(HttpMethod.PUT) || m.equals(HttpMethod.DELETE);
    }

    void onBackendRead(Object msg) {
        if (relaying) {
            if (msg instanceof ByteBuf) {
                ctx.channel().write(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof io.netty.handler.codec.http.HttpObject o && o.decoderResult().isFailure()) {
            // Netty's decoder refused the endpoint's bytes (and discards the rest of them): 502
            // before the response started, else the client connection is cut (nginx: "upstream
            // sent invalid header" / truncated response).
            ReferenceCountUtil.release(msg);
            onLeanMalformed(responseStarted);
            return;
        }
        if (msg instanceof HttpResponse resp) {
            int code = resp.status().code();
            if (websocket && code == 101) {
                switchToRelay(resp);
                return;
            }
            if (code >= 100 && code < 200) {
                // An interim response is dropped with the empty last part the decoder emits after it.
                interimEnd = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            responseStarted = true;
            prepareResponse(resp);
            if (!handler.http2 && !(msg instanceof HttpContent) && status != 204 && status != 304
                    && !method.equals(HttpMethod.HEAD)) {
                // Held until the next part: a small response's head and body go out as one message
                // (bodyless responses keep the encoder's head-only framing).
                pendingHead = resp;
                return;
            }
        }
        if (interimEnd && msg instanceof LastHttpContent && !responseStarted) {
            interimEnd = false;
            ReferenceCountUtil.release(msg);
            return;
        }
        if (pendingHead != null) {
            HttpResponse head = pendingHead;
            pendingHead = null;
            if (msg instanceof LastHttpContent last) {
                write(new DefaultFullHttpResponse(head.protocolVersion(), head.status(), last.content(), head.headers(),
                        last.trailingHeaders()));
                ctx.flush();
                unflushed = false;
                finish(backendKeepAlive);
                return;
            }
            write(head);
            unflushed = true;
        }
        if (msg instanceof LastHttpContent) {
            write(msg);
            ctx.flush();
            unflushed = false;
            finish(backendKeepAlive);
        } else if (msg instanceof HttpResponse || msg instanceof HttpContent) {
            write(msg);
            unflushed = true;
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void prepareResponse(HttpResponse resp) {
        status = resp.status().code();
        HttpHeaders h = resp.headers();
        int hop = HopByHop.strip(h);
        // HttpUtil.isKeepAlive and isTransferEncodingChunked, from the fields just removed.
        backendKeepAlive = (hop & HopByHop.CLOSE) == 0
                && (resp.protocolVersion().isKeepAliveDefault() || (hop & HopByHop.KEEP_ALIVE) != 0);
        boolean chunked = (hop & HopByHop.CHUNKED) != 0;
        resp.setProtocolVersion(HttpVersion.HTTP_1_1);
        setCookie.ifPresent(c -> h.add(HttpHeaderNames.SET_COOKIE, c));
        if (handler.http2) {
            return;
        }
        boolean bodyless = method.equals(HttpMethod.HEAD) || status == 204 || status == 304;
        if (chunked) {
            HttpUtil.setTransferEncodingChunked(resp, true);
        } else if (!bodyless && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (http11) {
                HttpUtil.setTransferEncodingChunked(resp, true);
            } else {
                closeAfter = true;
            }
        }
        if (!keepAlive || closeAfter) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!http11) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** An interim (1xx) head was dropped; the decoder's empty last part for it follows. */
    private boolean interimEnd;
    private boolean closeAfter;
    private int status;

    void onBackendReadComplete() {
        if (pendingHead != null) {
            // The body did not come with the head: send the head now (streamed responses).
            write(pendingHead);
            pendingHead = null;
            unflushed = true;
        }
        if (unflushed || relaying) {
            unflushed = false;
            ctx.flush();
        }
    }

    /** Writes part of the response to the client; HTTP/1 writes need no promise (failures close the connection). */
    private void write(Object msg) {
        if (handler.http2) {
            ctx.write(msg);
        } else {
            ctx.write(msg, ctx.voidPromise());
        }
    }

    /** A response head read but not yet written (see {@link #onBackendRead}); HTTP/1 clients only. */
    private HttpResponse pendingHead;
    /** Whether response parts were written since the last flush. */
    private boolean unflushed;

    void frontendWritable(boolean writable) {
        if (backend != null && !done) {
            backend.config().setAutoRead(writable);
        }
    }

    void onBackendClosed() {
        if (relaying) {
            ctx.close();
            return;
        }
        if (done) {
            return;
        }
        if (!responseStarted) {
            retryOrFail();
            return;
        }
        // Truncated response: the client must see the connection end, not a short body.
        done = true;
        cancelTimeout();
        px.metrics().request(route, upstream, status);
        release();
        ctx.close();
    }

    private void switchToRelay(HttpResponse resp) {
        responseStarted = true;
        done = true;
        relaying = true;
        cancelTimeout();
        px.metrics().request(route, upstream, 101);
        HttpClientCodec codec = (HttpClientCodec) backend.pipeline().get(BackendPool.CODEC);
        codec.prepareUpgradeFrom(backend.pipeline().context(BackendPool.CODEC));
        resp.setProtocolVersion(HttpVersion.HTTP_1_1);
        ctx.writeAndFlush(resp);
        release();
        backend.config().setAutoRead(true);
        handler.upgradeTo(backend);
    }

    /** Called periodically by the {@link ProxyHandler}; answers 504 or cuts the response once the deadline passed. */
    void checkDeadline(long now) {
        if (deadline != 0 && now - deadline >= 0) {
            onTimeout();
        }
    }

    private void onTimeout() {
        if (done) {
            return;
        }
        detachLean();
        if (!responseStarted) {
            Channel b = backend;
            if (backendHandler != null) {
                backendHandler.detach();
            }
            if (b != null) {
                b.close();
            }
            respondLocal(504, Optional.empty(), route, upstream);
        } else {
            done = true;
            release();
            if (backend != null) {
                backend.close();
            }
            ctx.close();
        }
    }

    void onFrontendClosed() {
        if (done) {
            return;
        }
        done = true;
        detachLean();
        cancelTimeout();
        if (backendHandler != null) {
            backendHandler.detach();
        }
        if (backend != null) {
            backend.close();
        }
        release();
    }

    private void finish(boolean backendReusable) {
        done = true;
        cancelTimeout();
        px.metrics().request(route, upstream, status);
        px.metrics().upstreamLatency(route, upstream, System.nanoTime() - sentNanos);
        backendHandler.detach();
        detachLean();
        InetSocketAddress addr = upstream.endpoints().get(endpointIndex);
        if (backendReusable && !grpc && backend.isActive()) {
            backend.config().setAutoRead(true);
            px.pool().release(backend, addr, upstream.protocol() == BackendProtocol.HTTPS);
        } else {
            backend.close();
        }
        release();
        handler.done(this, !keepAlive || closeAfter);
    }

    private void respondLocal(int code, Optional<String> location, Route r, Upstream u) {
        done = true;
        cancelTimeout();
        HttpResponseStatus st = HttpResponseStatus.valueOf(code);
        byte[] text = (code + " " + st.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, st, Unpooled.wrappedBuffer(text));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(resp, text.length);
        location.ifPresent(l -> resp.headers().set(HttpHeaderNames.LOCATION, l));
        if (!handler.http2) {
            if (!keepAlive) {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (!http11) {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        px.metrics().request(r, u == null && r != null ? r.upstream() : u, code);
        ctx.writeAndFlush(resp);
        release();
        handler.done(this, !keepAlive);
    }

    private void cancelTimeout() {
        deadline = 0;
    }

    private boolean released;

    private void release() {
        if (released) {
            return;
        }
        released = true;
        if (request != null) {
            request.release();
        }
        if (outbound != null) {
            outbound.release();
        }
        if (rawHead != null) {
            rawHead.release();
        }
    }
}
