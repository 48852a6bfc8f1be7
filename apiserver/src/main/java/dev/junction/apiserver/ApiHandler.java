package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the Kubernetes HTTP API for one connection: discovery, health, OpenAPI stubs, resource
 * CRUD through {@link ObjectRegistry} and watches (chunked JSON lines or WebSocket frames) through
 * {@link WatchSession}. With a {@link TokenAuthenticator}, every request but the health checks
 * needs a known bearer token (401 Unauthorized otherwise, as kube-apiserver without anonymous auth). Requests run on a worker executor (one per connection, so that a
 * connection's requests stay in order) because SQLite commits must never block the event loop.
 * Sharable: per-connection state lives in a channel attribute.
 */
@ChannelHandler.Sharable
final class ApiHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final long DEFAULT_WATCH_TIMEOUT_SECONDS = 1800;
    private static final long BOOKMARK_SECONDS = 10;

    /** verb, resource and code of the request this worker thread is serving, for {@link RequestMetrics}. */
    private static final ThreadLocal<String[]> CURRENT = ThreadLocal.withInitial(() -> new String[3]);
    /** Warning headers ({@code 299 - "..."}) collected while serving the current request. */
    private static final ThreadLocal<List<String>> WARNINGS = ThreadLocal.withInitial(java.util.ArrayList::new);
    private static final AttributeKey<EventExecutor> EXECUTOR = AttributeKey.valueOf("junction.apiserver.executor");

    private final ObjectRegistry registry;
    private final String serverAddress;
    private final EventExecutorGroup workers;
    private final RequestMetrics metrics = new RequestMetrics();
    private final Optional<TokenAuthenticator> tokens;

    /**
     * @param workers where requests run (SQLite commits block), one executor per connection
     */
    ApiHandler(ObjectRegistry registry, String serverAddress, EventExecutorGroup workers,
            Optional<TokenAuthenticator> tokens) {
        this.tokens = requireNonNull(tokens, "tokens");
        this.registry = requireNonNull(registry, "registry");
        this.serverAddress = requireNonNull(serverAddress, "serverAddress");
        this.workers = requireNonNull(workers, "workers");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest req) {
            // one single-threaded executor per connection keeps its requests in order
            EventExecutor executor = ctx.channel().attr(EXECUTOR).get();
            if (executor == null) {
                executor = workers.next();
                ctx.channel().attr(EXECUTOR).set(executor);
            }
            try {
                executor.execute(() -> {
                    try {
                        handle(ctx, req);
                    } finally {
                        req.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                req.release();
                ctx.close();
            }
            return;
        }
        try {
            if (msg instanceof WebSocketFrame frame) {
                if (frame instanceof CloseWebSocketFrame) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
                } else if (frame instanceof PingWebSocketFrame ping) {
                    ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection error", cause);
        ctx.close();
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        QueryStringDecoder qs = new QueryStringDecoder(req.uri());
        String[] current = CURRENT.get();
        current[0] = req.method().name();
        current[1] = "";
        current[2] = "0";
        WARNINGS.get().clear();
        try {
            route(ctx, req, qs);
        } catch (ApiException e) {
            respond(ctx, req, HttpResponseStatus.valueOf(e.code()), e.toStatus());
        } catch (RuntimeException e) {
            LOG.warn("request {} {} failed", req.method(), req.uri(), e);
            respond(ctx, req, HttpResponseStatus.INTERNAL_SERVER_ERROR, ApiException.internal(String.valueOf(e.getMessage())).toStatus());
        }
        metrics.record(current[0], current[1], Integer.parseInt(current[2]));
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder qs) {
        String path = qs.path();
        List<String> segs = segments(path);
        HttpMethod m = req.method();
        if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")) {
            text(ctx, req, HttpResponseStatus.OK, "ok");
            return;
        }
        if (tokens.isPresent()
                && tokens.get().authenticate(Optional.ofNullable(req.headers().get(HttpHeaderNames.AUTHORIZATION))).isEmpty()) {
            throw ApiException.unauthorized();
        }
        switch (path) {
            case "/version" -> {
                respond(ctx, req, HttpResponseStatus.OK, Discovery.version());
                return;
            }
            case "/api" -> {
                respond(ctx, req, HttpResponseStatus.OK, Discovery.apiVersions(serverAddress));
                return;
            }
            case "/apis" -> {
                respond(ctx, req, HttpResponseStatus.OK, Discovery.groupList());
                return;
            }
            case "/metrics" -> {
                text(ctx, req, HttpResponseStatus.OK, metrics());
                return;
            }
            default -> {
            }
        }
        if (!segs.isEmpty() && segs.get(0).equals("openapi")) {
            openApi(ctx, req, segs);
            return;
        }
        String apiVersion;
        List<String> rest;
        if (segs.size() >= 2 && segs.get(0).equals("api") && segs.get(1).equals("v1")) {
            apiVersion = "v1";
            rest = segs.subList(2, segs.size());
        } else if (segs.size() >= 2 && segs.get(0).equals("apis")) {
            if (segs.size() == 2) {
                respond(ctx, req, HttpResponseStatus.OK, Discovery.group(segs.get(1)).orElseThrow(ApiException::pathNotFound));
                return;
            }
            apiVersion = segs.get(1) + "/" + segs.get(2);
            rest = segs.subList(3, segs.size());
        } else {
            throw ApiException.pathNotFound();
        }
        if (rest.isEmpty()) {
            respond(ctx, req, HttpResponseStatus.OK, Discovery.resourceList(apiVersion).orElseThrow(ApiException::pathNotFound));
            return;
        }
        RequestTarget t = RequestTarget.parse(apiVersion, rest).orElseThrow(ApiException::pathNotFound);
        resource(ctx, req, qs, t, m);
    }

    private void resource(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder qs, RequestTarget t,
            HttpMethod m) {
        ResourceType type = t.type();
        String[] current = CURRENT.get();
        current[1] = type.plural();
        String w0 = param(qs, "watch").orElse("");
        if (m.equals(HttpMethod.GET) && t.name().isEmpty()) {
            current[0] = t.watchPath() || w0.equals("true") || w0.equals("1") ? "WATCH" : "LIST";
        }
        boolean dryRun = !param(qs, "dryRun").orElse("").isEmpty();
        String ns = t.storageNamespace();
        if (t.name().isEmpty()) {
            if (m.equals(HttpMethod.GET)) {
                LabelSelector labels = LabelSelector.parse(param(qs, "labelSelector").orElse(""));
                FieldSelector fields = FieldSelector.parse(param(qs, "fieldSelector").orElse(""), type);
                String w = param(qs, "watch").orElse("");
                if (t.watchPath() || w.equals("true") || w.equals("1")) {
                    watch(ctx, req, qs, t, labels, fields);
                    return;
                }
                int limit;
                try {
                    limit = Integer.parseInt(param(qs, "limit").orElse("0"));
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest("limit: invalid value " + param(qs, "limit").orElse(""));
                }
                ObjectNode list = registry.list(type, t.namespace(), labels, fields, Math.max(0, limit),
                        param(qs, "continue").orElse(""));
                if (wantsTable(req)) {
                    List<JsonNode> items = new java.util.ArrayList<>();
                    list.path("items").forEach(items::add);
                    ObjectNode table = Tables.table(type, items, list.path("metadata").path("resourceVersion").asText(),
                            param(qs, "includeObject").orElse(""));
                    for (String f : List.of("continue", "remainingItemCount")) {
                        if (list.path("metadata").has(f)) {
                            Json.meta(table).set(f, list.path("metadata").get(f));
                        }
                    }
                    respond(ctx, req, HttpResponseStatus.OK, table);
                } else {
                    respond(ctx, req, HttpResponseStatus.OK, list);
                }
                return;
            }
            if (m.equals(HttpMethod.POST)) {
                if (type.namespaced() && t.namespace().isEmpty()) {
                    throw ApiException.methodNotAllowed("POST", type);
                }
                ObjectNode created = registry.create(type, ns, checkedBody(req, qs, type), dryRun, owner(req, qs), false);
                respond(ctx, req, HttpResponseStatus.CREATED, created);
                return;
            }
            if (m.equals(HttpMethod.DELETE) && (t.namespace().isPresent() || !type.namespaced())) {
                LabelSelector labels = LabelSelector.parse(param(qs, "labelSelector").orElse(""));
                FieldSelector fields = FieldSelector.parse(param(qs, "fieldSelector").orElse(""), type);
                respond(ctx, req, HttpResponseStatus.OK, registry.deleteCollection(type, t.namespace(), labels, fields, dryRun));
                return;
            }
            throw ApiException.methodNotAllowed(m.name(), type);
        }
        String name = t.name().get();
        Optional<String> sub = t.subresource();
        if (sub.isPresent() && !List.of("status", "scale", "binding", "finalize").contains(sub.get())) {
            throw ApiException.pathNotFound();
        }
        if (sub.filter("scale"::equals).isPresent() && !type.hasScale()
                || sub.filter("status"::equals).isPresent() && !type.hasStatus()) {
            throw ApiException.pathNotFound();
        }
        if (m.equals(HttpMethod.GET)) {
            if (sub.filter("scale"::equals).isPresent()) {
                respond(ctx, req, HttpResponseStatus.OK, registry.getScale(type, ns, name));
                return;
            }
            ObjectNode o = registry.read(type, ns, name);
            if (wantsTable(req) && sub.isEmpty()) {
                respond(ctx, req, HttpResponseStatus.OK, Tables.table(type, List.of(o),
                        o.path("metadata").path("resourceVersion").asText(), param(qs, "includeObject").orElse("")));
            } else {
                respond(ctx, req, HttpResponseStatus.OK, o);
            }
        } else if (m.equals(HttpMethod.PUT)) {
            if (sub.filter("scale"::equals).isPresent()) {
                respond(ctx, req, HttpResponseStatus.OK, registry.updateScale(type, ns, name, body(req), dryRun, owner(req, qs)));
            } else {
                Optional<String> s = sub.filter("finalize"::equals).isPresent() ? Optional.empty() : sub;
                respond(ctx, req, HttpResponseStatus.OK, registry.update(type, ns, name, checkedBody(req, qs, type), s, dryRun,
                        owner(req, qs)));
            }
        } else if (m.equals(HttpMethod.PATCH)) {
            String ct = Optional.ofNullable(req.headers().get(HttpHeaderNames.CONTENT_TYPE)).orElse("");
            if (sub.isEmpty() && !ct.startsWith("application/json-patch")) {
                fieldValidation(qs, type, Json.parseObject(bytes(req), ct.contains("yaml")), true);
            }
            respond(ctx, req, HttpResponseStatus.OK, registry.patch(type, ns, name, ct, bytes(req), sub, dryRun,
                    ct.startsWith("application/apply-patch")
                            ? new FieldOwner(param(qs, "fieldManager").orElse(""), param(qs, "force").filter("true"::equals).isPresent())
                            : owner(req, qs)));
        } else if (m.equals(HttpMethod.POST) && sub.filter("binding"::equals).isPresent() && type == Resources.PODS) {
            bind(ctx, req, ns, name, body(req), dryRun);
        } else if (m.equals(HttpMethod.DELETE) && sub.isEmpty()) {
            // DeleteOptions; a protobuf-encoded one (typed client-go clients) is ignored: defaults apply
            String ct = Optional.ofNullable(req.headers().get(HttpHeaderNames.CONTENT_TYPE)).orElse("application/json");
            JsonNode options = req.content().isReadable() && !ct.contains("protobuf")
                    ? Json.parseObject(bytes(req), ct.contains("yaml")) : Json.MAPPER.createObjectNode();
            DeleteOptions delete = DeleteOptions.of(options, param(qs, "propagationPolicy"), param(qs, "orphanDependents"),
                    param(qs, "gracePeriodSeconds"));
            respond(ctx, req, HttpResponseStatus.OK, registry.delete(type, ns, name, delete, dryRun));
        } else {
            throw ApiException.methodNotAllowed(m.name(), type);
        }
    }

    /** {@code POST pods/{name}/binding}: sets spec.nodeName once, as upstream pod BindingREST. */
    private void bind(ChannelHandlerContext ctx, FullHttpRequest req, String ns, String name, ObjectNode binding,
            boolean dryRun) {
        String node = binding.path("target").path("name").asText("");
        if (node.isEmpty()) {
            throw ApiException.invalid(Resources.PODS, name, List.of(FieldError.required("target.name", "")));
        }
        synchronized (registry.store()) {
            ObjectNode pod = registry.get(Resources.PODS, ns, name);
            String current = pod.path("spec").path("nodeName").asText("");
            if (!current.isEmpty()) {
                throw ApiException.conflict(Resources.PODS, name, "pod " + name + " is already assigned to node \"" + current + "\"");
            }
            ObjectNode patch = Json.MAPPER.createObjectNode();
            patch.putObject("spec").put("nodeName", node);
            registry.patch(Resources.PODS, ns, name, "application/merge-patch+json", Json.bytes(patch), Optional.empty(), dryRun);
        }
        ObjectNode ok = Json.MAPPER.createObjectNode();
        ok.put("kind", "Status").put("apiVersion", "v1").put("status", "Success").put("code", 201);
        ok.putObject("metadata");
        respond(ctx, req, HttpResponseStatus.CREATED, ok);
    }

    private void watch(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder qs, RequestTarget t,
            LabelSelector labels, FieldSelector fields) {
        String rvParam = param(qs, "resourceVersion").orElse("");
        Optional<Long> from;
        if (rvParam.isEmpty() || rvParam.equals("0")) {
            from = Optional.empty();
        } else {
            try {
                from = Optional.of(Long.parseLong(rvParam));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid resource version: " + rvParam);
            }
        }
        long timeout = param(qs, "timeoutSeconds").map(Long::parseLong).filter(x -> x > 0).orElse(DEFAULT_WATCH_TIMEOUT_SECONDS);
        boolean bookmarks = param(qs, "allowWatchBookmarks").filter("true"::equals).isPresent();
        boolean initialEnd = param(qs, "sendInitialEvents").filter("true"::equals).isPresent();
        boolean table = wantsTable(req);
        String includeObject = param(qs, "includeObject").orElse("");
        ResourceType type = t.type();
        java.util.function.Function<ObjectNode, JsonNode> render = table
                ? o -> Tables.table(type, List.of(o), o.path("metadata").path("resourceVersion").asText(), includeObject)
                : o -> o;
        boolean websocket = "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
        Store store = registry.store();
        if (from.isPresent()) {
            // fail fast with a plain 410 Status before any response is started
            store.checkWatchable(from.get());
        }
        if (websocket) {
            String url = "ws://" + Optional.ofNullable(req.headers().get(HttpHeaderNames.HOST)).orElse("localhost") + req.uri();
            WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory(url, "*", true, 1 << 20).newHandshaker(req);
            if (hs == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                return;
            }
            hs.handshake(ctx.channel(), req).syncUninterruptibly();
            CURRENT.get()[2] = "101";
        } else {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            HttpUtil.setTransferEncodingChunked(head, true);
            ctx.writeAndFlush(head);
            CURRENT.get()[2] = "200";
        }
        WatchSession session = new WatchSession(ctx.channel(), websocket, labels, fields, render);
        synchronized (store) {
            try {
                session.registered(store.watch(type, t.namespace(), from, session::onEvent, session::end));
            } catch (ApiException e) {
                session.error(e);
                return;
            }
            if (initialEnd && from.isEmpty()) {
                session.bookmark(type, store.revision(), true);
            }
        }
        session.schedule(timeout, bookmarks, BOOKMARK_SECONDS, store, type);
    }

    /** The non-empty, percent-decoded segments of a request path (one pass, no regex). */
    private static List<String> segments(String path) {
        List<String> segs = new java.util.ArrayList<>(8);
        int start = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                if (i > start) {
                    segs.add(QueryStringDecoder.decodeComponent(path.substring(start, i)));
                }
                start = i + 1;
            }
        }
        return segs;
    }

    private void openApi(ChannelHandlerContext ctx, FullHttpRequest req, List<String> segs) {
        if (segs.size() == 2 && segs.get(1).equals("v2")) {
            send(ctx, req, HttpResponseStatus.OK, OpenApiV2.PROTOBUF, OpenApiV2.protobuf());
            return;
        }
        respond(ctx, req, HttpResponseStatus.OK, OpenApi.document(segs.subList(1, segs.size())).orElseThrow(ApiException::pathNotFound));
    }

    private String metrics() {
        Store store = registry.store();
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP apiserver_storage_objects Number of stored objects at the time of last check split by kind.\n");
        sb.append("# TYPE apiserver_storage_objects gauge\n");
        for (ResourceType t : Resources.ALL) {
            sb.append("apiserver_storage_objects{resource=\"").append(t.qualifiedName()).append("\"} ")
                    .append(store.count(t)).append('\n');
        }
        sb.append("# HELP apiserver_registered_watchers Number of currently registered watchers.\n");
        sb.append("# TYPE apiserver_registered_watchers gauge\n");
        sb.append("apiserver_registered_watchers ").append(store.watcherCount()).append('\n');
        sb.append("# HELP etcd_current_revision Current global revision of the store.\n");
        sb.append("# TYPE etcd_current_revision gauge\n");
        sb.append("etcd_current_revision ").append(store.revision()).append('\n');
        metrics.render(sb);
        return sb.toString();
    }

    private static boolean wantsTable(FullHttpRequest req) {
        String accept = req.headers().get(HttpHeaderNames.ACCEPT);
        return accept != null && accept.contains("as=Table");
    }

    /** The field manager of a non-apply write: {@code fieldManager}, else the User-Agent's program name. */
    private static FieldOwner owner(FullHttpRequest req, QueryStringDecoder qs) {
        return new FieldOwner(param(qs, "fieldManager").orElseGet(() -> FieldOwner.fromUserAgent(req.headers().get(
                HttpHeaderNames.USER_AGENT))), false);
    }

    /** The request body with server-side field validation (KEP-2885) applied; unknown fields are dropped. */
    private static ObjectNode checkedBody(FullHttpRequest req, QueryStringDecoder qs, ResourceType type) {
        ObjectNode body = body(req);
        fieldValidation(qs, type, body, false);
        return body;
    }

    /**
     * Applies {@code fieldValidation} (Strict: 400 naming every unknown field; Warn, the default: a
     * {@code Warning} header per unknown field; Ignore). A value of the wrong JSON type is always 400.
     */
    private static void fieldValidation(QueryStringDecoder qs, ResourceType type, ObjectNode body, boolean patch) {
        String mode = param(qs, "fieldValidation").orElse("Warn");
        if (!List.of("Strict", "Warn", "Ignore").contains(mode)) {
            throw ApiException.badRequest("fieldValidation parameter unsupported: " + mode
                    + ", valid values are Ignore, Warn, Strict");
        }
        ObjectSchema.Result r = ObjectSchema.check(type, body, patch);
        if (!r.typeErrors().isEmpty()) {
            throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a "
                    + type.kind() + ": " + r.typeErrors().get(0));
        }
        if (r.unknownFields().isEmpty()) {
            return;
        }
        List<String> msgs = r.unknownFields().stream().map(f -> "unknown field \"" + f + "\"").toList();
        if (mode.equals("Strict")) {
            throw ApiException.badRequest("strict decoding error: " + String.join(", ", msgs));
        }
        if (mode.equals("Warn")) {
            for (String m : msgs) {
                WARNINGS.get().add("299 - \"" + m.replace("\"", "\\\"") + "\"");
            }
        }
    }

    private static ObjectNode body(FullHttpRequest req) {
        String ct = Optional.ofNullable(req.headers().get(HttpHeaderNames.CONTENT_TYPE)).orElse("application/json");
        if (ct.startsWith("application/vnd.kubernetes.protobuf")) {
            return ProtobufDecoder.decode(bytes(req));
        }
        return Json.parseObject(bytes(req), ct.contains("yaml"));
    }

    private static byte[] bytes(FullHttpRequest req) {
        return ByteBufUtil.getBytes(req.content());
    }

    private static Optional<String> param(QueryStringDecoder qs, String name) {
        List<String> v = qs.parameters().get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, JsonNode body) {
        send(ctx, req, status, "application/json", Json.bytes(body));
    }

    private static void text(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String body) {
        send(ctx, req, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String contentType,
            byte[] body) {
        CURRENT.get()[2] = Integer.toString(status.code());
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        for (String w : WARNINGS.get()) {
            res.headers().add("Warning", w);
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

}
