package dev.junction.ingress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serialises the head of a bodyless HTTP/1.1 request the proxy forwards to an endpoint (RFC 9112
 * §3, §5: request line, one {@code name: value} line per field, empty line) into one buffer sized
 * up front, straight from the client's decoded fields plus the proxy's own. It replaces, for the
 * common GET, editing the decoded header map (seven {@code set}s, each hashed and validated) and
 * Netty's {@code HttpRequestEncoder} (per-message state machine, promise aggregation, output
 * list), and writes the request-target byte for byte (chars 0–255 as {@code HttpObjectDecoder}
 * decoded them) instead of re-encoding it as UTF-8.
 */
final class RequestHeadWriter {
    private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int CRLF = ('\r' << 8) | '\n';
    private static final int COLON_SP = (':' << 8) | ' ';
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    /** Fields the proxy sets itself (ingress-nginx's proxy_set_header defaults); the client's copies are dropped. */
    private static final AsciiString[] REPLACED = {HOST, AsciiString.cached("x-real-ip"),
            AsciiString.cached("x-forwarded-for"), AsciiString.cached("x-forwarded-host"),
            AsciiString.cached("x-forwarded-port"), AsciiString.cached("x-forwarded-proto"), AsciiString.cached("x-scheme")};
    private static final byte[] HOST_ = ascii("host: ");
    private static final byte[] X_REQUEST_ID_ = ascii("x-request-id: ");
    private static final byte[] X_REAL_IP_ = ascii("x-real-ip: ");
    private static final byte[] X_FORWARDED_FOR_ = ascii("x-forwarded-for: ");
    private static final byte[] X_FORWARDED_HOST_ = ascii("x-forwarded-host: ");
    private static final byte[] X_FORWARDED_PORT_ = ascii("x-forwarded-port: ");
    private static final byte[] X_FORWARDED_PROTO_ = ascii("x-forwarded-proto: ");
    private static final byte[] X_SCHEME_ = ascii("x-scheme: ");
    private static final byte[] CONTENT_LENGTH_ZERO = ascii("content-length: 0\r\n");

    private RequestHeadWriter() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * The head of a bodyless request forwarded to an endpoint, written straight from the client's
     * decoded fields: the client's fields in order (hop-by-hop ones must already be removed)
     * except those the proxy sets, then {@code host}, {@code x-request-id} (a new 32-hex id, as
     * ingress-nginx's {@code $req_id}, only when the client sent none), {@code x-real-ip},
     * {@code x-forwarded-for}, {@code x-forwarded-host}, {@code x-forwarded-port},
     * {@code x-forwarded-proto}, {@code x-scheme} — the fields and order that setting them on the
     * header map and encoding it gives, without editing the map.
     *
     * @param alloc             allocator of the endpoint connection
     * @param method            request method (not HEAD or CONNECT: the client codec must see those)
     * @param uri               request-target to send (rewritten or not); empty is sent as {@code /}
     * @param client            the client's fields, hop-by-hop ones already removed ({@link HopByHop})
     * @param host              {@code host} to send (the client's, else the client address)
     * @param clientIp          {@code x-real-ip} and {@code x-forwarded-for}
     * @param forwardedHost     {@code x-forwarded-host} (host without port)
     * @param port              {@code x-forwarded-port}, the listener's port
     * @param scheme            {@code x-forwarded-proto} and {@code x-scheme}
     * @param contentLengthZero whether to send {@code content-length: 0} in place of the client's
     *                          (a bodyless request whose method defines a body, e.g. POST)
     * @return a buffer holding the whole head, owned by the caller
     */
    static ByteBuf encodeForwarded(ByteBufAllocator alloc, HttpMethod method, String uri, HttpHeaders client,
            String host, String clientIp, String forwardedHost, AsciiString port, AsciiString scheme,
            boolean contentLengthZero) {
        int size = method.asciiName().length() + uri.length() + VERSION.length + 3 + 200
                + host.length() + 2 * clientIp.length() + forwardedHost.length() + port.length() + 2 * scheme.length();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = client.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            size += e.getKey().length() + e.getValue().length() + 4;
        }
        ByteBuf buf = alloc.buffer(size);
        ByteBufUtil.copy(method.asciiName(), buf);
        buf.writeByte(' ');
        if (uri.isEmpty()) {
            buf.writeByte('/');
        } else {
            write(buf, uri);
        }
        buf.writeBytes(VERSION);
        boolean hasRequestId = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = client.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (replaced(name) || contentLengthZero && is(CONTENT_LENGTH, name)) {
                continue;
            }
            hasRequestId |= is(X_REQUEST_ID, name);
            write(buf, name);
            buf.writeShort(COLON_SP);
            write(buf, e.getValue());
            buf.writeShort(CRLF);
        }
        field(buf, HOST_, host);
        if (!hasRequestId) {
            buf.writeBytes(X_REQUEST_ID_);
            ThreadLocalRandom r = ThreadLocalRandom.current();
            long a = r.nextLong();
            long b = r.nextLong();
            for (int i = 0; i < 16; i++) {
                buf.writeByte(HEX[(int) (a >>> (60 - 4 * i)) & 0xf]);
            }
            for (int i = 0; i < 16; i++) {
                buf.writeByte(HEX[(int) (b >>> (60 - 4 * i)) & 0xf]);
            }
            buf.writeShort(CRLF);
        }
        field(buf, X_REAL_IP_, clientIp);
        field(buf, X_FORWARDED_FOR_, clientIp);
        field(buf, X_FORWARDED_HOST_, forwardedHost);
        field(buf, X_FORWARDED_PORT_, port);
        field(buf, X_FORWARDED_PROTO_, scheme);
        field(buf, X_SCHEME_, scheme);
        if (contentLengthZero) {
            buf.writeBytes(CONTENT_LENGTH_ZERO);
        }
        buf.writeShort(CRLF);
        return buf;
    }

    /** Writes {@code nameColonSpace}, the value and CRLF. */
    private static void field(ByteBuf buf, byte[] nameColonSpace, CharSequence value) {
        buf.writeBytes(nameColonSpace);
        write(buf, value);
        buf.writeShort(CRLF);
    }

    private static boolean replaced(CharSequence name) {
        for (AsciiString r : REPLACED) {
            if (is(r, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean is(AsciiString lower, CharSequence name) {
        return lower.length() == name.length() && lower.contentEqualsIgnoreCase(name);
    }

    private static void write(ByteBuf buf, CharSequence s) {
        if (s instanceof AsciiString a) {
            ByteBufUtil.copy(a, buf);
        } else {
            // One byte per char (ISO-8859-1 for 0–255), as HttpObjectDecoder decoded the bytes.
            ByteBufUtil.writeAscii(buf, s);
        }
    }
}
