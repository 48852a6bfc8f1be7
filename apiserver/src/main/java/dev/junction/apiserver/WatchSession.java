package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One open watch: filters store events by label/field selector (turning selector transitions into
 * ADDED/DELETED as upstream {@code k8s.io/apiserver/pkg/storage/cacher/cache_watcher.go} does) and
 * writes each as a {@code {"type":…,"object":…}} JSON line on a chunked HTTP response or as one
 * WebSocket text frame. Sends BOOKMARK events when asked and ends after {@code timeoutSeconds}, or
 * closes the connection when the client falls more than {@link ApiServer#WATCH_BUFFER_LIMIT} bytes behind.
 */
final class WatchSession {
    /** Per thread: the last object serialised for a watch event (identity-compared), its event type and line. */
    private static final ThreadLocal<Object[]> LAST_OBJECT = ThreadLocal.withInitial(() -> new Object[3]);
    private final Channel channel;
    private final boolean websocket;
    private final LabelSelector labels;
    private final FieldSelector fields;
    private final Function<ObjectNode, JsonNode> render;
    private volatile AutoCloseable registration = () -> { };
    private volatile boolean closed;
    private ScheduledFuture<?> timeout;
    private ScheduledFuture<?> bookmarks;

    /**
     * @param render turns a stored object into what is sent (itself, or a one-row Table)
     */
    WatchSession(Channel channel, boolean websocket, LabelSelector labels, FieldSelector fields,
            Function<ObjectNode, JsonNode> render) {
        this.channel = requireNonNull(channel, "channel");
        this.websocket = websocket;
        this.labels = requireNonNull(labels, "labels");
        this.fields = requireNonNull(fields, "fields");
        this.render = requireNonNull(render, "render");
        channel.closeFuture().addListener(f -> stop());
    }

    /** Sets the store registration to undo when the watch ends. */
    void registered(AutoCloseable registration) {
        this.registration = registration;
        if (closed) {
            stop();
        }
    }

    /**
     * Starts the timers: the end of the watch after {@code timeoutSeconds} and, when enabled, a
     * BOOKMARK every {@code bookmarkSeconds} carrying the store's current revision.
     */
    void schedule(long timeoutSeconds, boolean bookmarksEnabled, long bookmarkSeconds, Store store, ResourceType type) {
        timeout = channel.eventLoop().schedule(this::end, timeoutSeconds, TimeUnit.SECONDS);
        if (bookmarksEnabled) {
            // taken off the event loop (the store monitor may be held across a cascade), and queued
            // behind the events up to the bookmark's revision
            bookmarks = channel.eventLoop().scheduleAtFixedRate(() -> ForkJoinPool.commonPool().execute(
                    () -> store.afterDispatched(rev -> bookmark(type, rev, false))), bookmarkSeconds, bookmarkSeconds,
                    TimeUnit.SECONDS);
        }
    }

    /** Delivers one store event, applying the selectors. */
    void onEvent(WatchEvent e) {
        if (closed) {
            return;
        }
        boolean now = matches(e.object());
        boolean before = e.previous().map(this::matches).orElse(false);
        switch (e.type()) {
            case ADDED -> {
                if (now) {
                    send("ADDED", render.apply(e.object()));
                }
            }
            case MODIFIED -> {
                if (now && before) {
                    send("MODIFIED", render.apply(e.object()));
                } else if (now) {
                    send("ADDED", render.apply(e.object()));
                } else if (before) {
                    send("DELETED", render.apply(e.object()));
                }
            }
            case DELETED -> {
                if (before || now) {
                    send("DELETED", render.apply(e.object()));
                }
            }
            default -> {
            }
        }
    }

    /** Sends a BOOKMARK with only kind, apiVersion and resourceVersion (optionally the initial-events-end annotation). */
    void bookmark(ResourceType type, long revision, boolean initialEventsEnd) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("kind", type.kind()).put("apiVersion", type.apiVersion());
        ObjectNode meta = o.putObject("metadata");
        meta.put("resourceVersion", Long.toString(revision));
        if (initialEventsEnd) {
            meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
        }
        send("BOOKMARK", o);
    }

    /** Sends an ERROR event carrying a Status, then ends the watch. */
    void error(ApiException e) {
        send("ERROR", e.toStatus());
        end();
    }

    /** Ends the watch: the last chunk (HTTP) or a close frame (WebSocket). */
    void end() {
        if (closed) {
            return;
        }
        stop();
        if (websocket) {
            channel.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    boolean isClosed() {
        return closed;
    }

    private boolean matches(JsonNode o) {
        return labels.matches(o) && fields.matches(o);
    }

    private void send(String type, JsonNode object) {
        if (closed || !channel.isActive()) {
            return;
        }
        if (!channel.isWritable()) {
            // a consumer too slow to keep up: end the watch, as kube-apiserver's cacher does; the
            // client re-lists or re-watches from its last resourceVersion
            stop();
            channel.close();
            return;
        }
        byte[] line = eventLine(type, object);
        if (websocket) {
            channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(line, 0, line.length - 1)));
        } else {
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(line)));
        }
    }

    /**
     * {@code {"type":…,"object":…}\n} as bytes (a WebSocket frame leaves out the newline). Cached
     * per thread for the last (type, object) seen: the store's follower thread hands one event to
     * every watcher in turn, so it is serialised and framed once, not once per watcher. The array
     * is shared by the watchers' buffers and never written after it is built.
     */
    private static byte[] eventLine(String type, JsonNode object) {
        Object[] cache = LAST_OBJECT.get();
        if (cache[0] == object && type.equals(cache[1])) {
            return (byte[]) cache[2];
        }
        byte[] obj = Json.bytes(object);
        byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + obj.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(obj, 0, out, head.length, obj.length);
        out[out.length - 2] = '}';
        out[out.length - 1] = '\n';
        cache[0] = object;
        cache[1] = type;
        cache[2] = out;
        return out;
    }

    private void stop() {
        closed = true;
        Optional.ofNullable(timeout).ifPresent(t -> t.cancel(false));
        Optional.ofNullable(bookmarks).ifPresent(t -> t.cancel(false));
        try {
            registration.close();
        } catch (Exception e) {
            // unregistering a listener cannot fail
        }
    }
}
