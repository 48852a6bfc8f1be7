package dev.junction.ingress;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client connection's HTTP/1.1 codec on the lean path (the default; {@code -Djunction.ingress.leanHttp1=false} turns it off):
 * Netty's {@link HttpRequestDecoder} and {@link HttpResponseEncoder}, with the request-method queue
 * of Netty's {@code HttpServerCodec} (a response to HEAD has no body, a 2xx to CONNECT no framing
 * fields), except that a response written as bytes below this codec ({@link ProxyExchange}'s lean
 * relay) takes its request's entry off the queue through {@link #skipResponse()}; with
 * {@code HttpServerCodec} only its own encoder drains the queue.
 */
final class LeanServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    LeanServerCodec(HttpDecoderConfig config) {
        init(new HttpRequestDecoder(config) {
            @Override
            protected void decode(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf buffer, List<Object> out) throws Exception {
                int before = out.size();
                super.decode(ctx, buffer, out);
                for (int i = before; i < out.size(); i++) {
                    if (out.get(i) instanceof HttpRequest r) {
                        methods.add(r.method());
                    }
                }
            }
        }, new HttpResponseEncoder() {
            private HttpMethod method;

            @Override
            protected boolean isContentAlwaysEmpty(HttpResponse msg) {
                if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL && msg.status().code() != 101) {
                    // An interim response (100 Continue from the aggregator) precedes the final one.
                    method = methods.peek();
                    return true;
                }
                method = methods.poll();
                return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
            }

            @Override
            protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
                super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
                if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                    // RFC 9110 §9.3.6: a 2xx to CONNECT switches to tunnel mode, no framing fields.
                    msg.headers().remove(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING);
                }
            }
        });
    }

    /**
     * A request read as bytes in front of this codec ({@link LeanRequestDecoder}) is outstanding:
     * queues its method as the decoder does for the requests it decodes.
     */
    void expect(HttpMethod method) {
        methods.add(method);
    }

    /** A final response to the oldest outstanding request was written as bytes below this codec. */
    void skipResponse() {
        methods.poll();
    }
}
