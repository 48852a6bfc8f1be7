package dev.junction.ingress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits before the HTTP client codec of a backend connection on the lean path
 * (the default; {@code -Djunction.ingress.leanHttp1=false} turns it off). While a {@link ProxyExchange} has started it, the
 * endpoint's bytes do not reach the codec: the response head is parsed by {@link ResponseHead}
 * (interim 1xx heads are dropped, as the codec path drops them), the body's end is found by
 * {@link BodyFramer}, and the exchange gets the head, the body bytes as they arrive (slices of the
 * read buffers) and the end of the message. Otherwise (an idle pooled connection, or an exchange
 * on the codec path) everything passes through to the codec.
 */
final class LeanResponseHandler extends ChannelInboundHandlerAdapter {
    /** The receiver of a lean response; all calls run on the connection's event loop. */
    interface Sink {
        /** A final response head (status ≥ 200). */
        void onLeanHead(ResponseHead head);

        /** Body bytes as received; the callee owns {@code body}. */
        void onLeanBody(ByteBuf body);

        /** The message ended; {@code reusable}: no byte followed it in the same read and the connection is open. */
        void onLeanEnd(boolean reusable);

        /** The response is malformed; {@code started}: its head was already delivered. */
        void onLeanMalformed(boolean started);
    }

    private Sink sink;
    private BodyFramer framer;
    private ByteBuf cumulation;

    /** Routes the next response on this connection to {@code s}. */
    void start(Sink s) {
        detach();
        sink = s;
    }

    /** Stops routing responses to the current sink and drops any partial head. */
    void detach() {
        sink = null;
        framer = null;
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Sink s = sink;
        if (s == null || !(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = buf;
        if (cumulation != null) {
            cumulation.writeBytes(buf);
            buf.release();
            in = cumulation;
            cumulation = null;
        }
        try {
            while (true) {
                if (framer == null) {
                    ResponseHead head = ResponseHead.parse(in);
                    if (head == null) {
                        cumulation = ctx.alloc().heapBuffer(Math.max(256, in.readableBytes() * 2));
                        cumulation.writeBytes(in);
                        return;
                    }
                    if (head.status < 200) {
                        continue;
                    }
                    framer = new BodyFramer(head.framing(false));
                    s.onLeanHead(head);
                    if (sink != s) {
                        return;
                    }
                }
                int n = framer.scan(in);
                if (n > 0) {
                    s.onLeanBody(in.retainedSlice(in.readerIndex(), n));
                    in.skipBytes(n);
                    if (sink != s) {
                        return;
                    }
                }
                if (framer.complete()) {
                    boolean clean = !in.isReadable();
                    detach();
                    s.onLeanEnd(clean && ctx.channel().isActive());
                }
                return;
            }
        } catch (ResponseHead.Malformed e) {
            boolean started = framer != null;
            detach();
            ctx.close();
            s.onLeanMalformed(started);
        } finally {
            in.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Sink s = sink;
        BodyFramer f = framer;
        detach();
        if (s != null && f != null && f.untilClose()) {
            // RFC 9112 §6.3 rule 8: the close ends the body.
            s.onLeanEnd(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        detach();
    }
}
