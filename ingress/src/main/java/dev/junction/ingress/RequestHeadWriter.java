package dev.junction.ingress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Serialises the head of a bodyless HTTP/1.1 request the proxy forwards to an endpoint (RFC 9112
 * §3, §5: request line, one {@code name: value} line per field, empty line) straight from the
 * client's decoded fields plus the proxy's own: built in a per-thread scratch array (plain array
 * copies, no per-byte bounds and access checks of {@code ByteBuf}) and copied into one buffer of
 * the exact size. It replaces, for the
 * common GET, editing the decoded header map (seven {@code set}s, each hashed and validated) and
 * Netty's {@code HttpRequestEncoder} (per-message state machine, promise aggregation, output
 * list), and writes the request-target byte for byte (chars 0–255 as {@code HttpObjectDecoder}
 * decoded them) instead of re-encoding it as UTF-8.
 */
final class RequestHeadWriter {
    private static final byte[] VERSION = " HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
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
    /** Upper bound of the bytes of the proxy's own field names, separators, request id and line ends (182). */
    private static final int FIXED_FIELDS_MAX = 256;
    /** Largest scratch array kept per thread, bytes. */
    private static final int SCRATCH_MAX = 64 * 1024;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[4096];
        }
    };

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
        int size = method.asciiName().length() + uri.length() + VERSION.length + 3 + FIXED_FIELDS_MAX
                + host.length() + 2 * clientIp.length() + forwardedHost.length() + port.length() + 2 * scheme.length();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = client.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            size += e.getKey().length() + e.getValue().length() + 4;
        }
        byte[] a = scratch(size);
        int n = put(a, 0, method.asciiName());
        a[n++] = ' ';
        if (uri.isEmpty()) {
            a[n++] = '/';
        } else {
            n = put(a, n, uri);
        }
        n = put(a, n, VERSION);
        boolean hasRequestId = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = client.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (replaced(name) || contentLengthZero && is(CONTENT_LENGTH, name)) {
                continue;
            }
            hasRequestId |= is(X_REQUEST_ID, name);
            n = put(a, n, name);
            a[n++] = ':';
            a[n++] = ' ';
            n = put(a, n, e.getValue());
            a[n++] = '\r';
            a[n++] = '\n';
        }
        return finish(alloc, a, n, host, hasRequestId, clientIp, forwardedHost, port, scheme, contentLengthZero);
    }

    /** Appends the proxy's fields and the empty line to {@code a[0, n)} and copies the head into a buffer. */
    private static ByteBuf finish(ByteBufAllocator alloc, byte[] a, int n, String host, boolean hasRequestId,
            String clientIp, String forwardedHost, AsciiString port, AsciiString scheme, boolean contentLengthZero) {
        n = field(a, n, HOST_, host);
        if (!hasRequestId) {
            n = put(a, n, X_REQUEST_ID_);
            ThreadLocalRandom r = ThreadLocalRandom.current();
            long x = r.nextLong();
            long y = r.nextLong();
            for (int i = 0; i < 16; i++) {
                a[n + i] = HEX[(int) (x >>> (60 - 4 * i)) & 0xf];
                a[n + 16 + i] = HEX[(int) (y >>> (60 - 4 * i)) & 0xf];
            }
            n += 32;
            a[n++] = '\r';
            a[n++] = '\n';
        }
        n = field(a, n, X_REAL_IP_, clientIp);
        n = field(a, n, X_FORWARDED_FOR_, clientIp);
        n = field(a, n, X_FORWARDED_HOST_, forwardedHost);
        n = field(a, n, X_FORWARDED_PORT_, port);
        n = field(a, n, X_FORWARDED_PROTO_, scheme);
        n = field(a, n, X_SCHEME_, scheme);
        if (contentLengthZero) {
            n = put(a, n, CONTENT_LENGTH_ZERO);
        }
        a[n++] = '\r';
        a[n++] = '\n';
        // One bounds-checked copy into the connection's buffer; the head was built in a plain array.
        ByteBuf buf = alloc.buffer(n);
        buf.writeBytes(a, 0, n);
        return buf;
    }

    private static final byte[] HOST_B = ascii("host");
    private static final byte[] X_REQUEST_ID_B = ascii("x-request-id");
    private static final byte[] CONTENT_LENGTH_B = ascii("content-length");
    private static final byte[][] REPLACED_B = {HOST_B, ascii("x-real-ip"), ascii("x-forwarded-for"),
            ascii("x-forwarded-host"), ascii("x-forwarded-port"), ascii("x-forwarded-proto"), ascii("x-scheme")};

    /**
     * The same head as {@link #encodeForwarded(ByteBufAllocator, HttpMethod, String, HttpHeaders,
     * String, String, String, AsciiString, AsciiString, boolean)}, from a lean request's bytes
     * ({@link RequestHead}): its forwarded fields (hop-by-hop ones and those {@code Connection}
     * names left out, as {@link HopByHop} removes them) are copied as received, in order.
     *
     * @param head the client's request head (its method is the one sent)
     * @see #encodeForwarded(ByteBufAllocator, HttpMethod, String, HttpHeaders, String, String, String,
     *      AsciiString, AsciiString, boolean) for the other parameters
     */
    static ByteBuf encodeForwarded(ByteBufAllocator alloc, RequestHead head, String uri, String host, String clientIp,
            String forwardedHost, AsciiString port, AsciiString scheme, boolean contentLengthZero) {
        HttpMethod method = head.method();
        int size = method.asciiName().length() + uri.length() + VERSION.length + 3 + FIXED_FIELDS_MAX
                + host.length() + 2 * clientIp.length() + forwardedHost.length() + port.length() + 2 * scheme.length()
                + head.fieldBytes();
        byte[] a = scratch(size);
        int n = put(a, 0, method.asciiName());
        a[n++] = ' ';
        n = put(a, n, uri.isEmpty() ? "/" : uri);
        n = put(a, n, VERSION);
        boolean hasRequestId = false;
        for (int i = 0, count = head.fieldCount(); i < count; i++) {
            if (!head.forwarded(i) || replaced(head, i) || contentLengthZero && head.nameIs(i, CONTENT_LENGTH_B)) {
                continue;
            }
            hasRequestId |= head.nameIs(i, X_REQUEST_ID_B);
            n = head.copyField(i, a, n);
            a[n++] = '\r';
            a[n++] = '\n';
        }
        return finish(alloc, a, n, host, hasRequestId, clientIp, forwardedHost, port, scheme, contentLengthZero);
    }

    private static boolean replaced(RequestHead head, int i) {
        for (byte[] r : REPLACED_B) {
            if (head.nameIs(i, r)) {
                return true;
            }
        }
        return false;
    }

    /**
     * This thread's scratch array with room for {@code size} bytes (event loop threads only build
     * one head at a time; a head larger than {@link #SCRATCH_MAX} gets an array of its own).
     */
    private static byte[] scratch(int size) {
        byte[] a = SCRATCH.get();
        if (a.length >= size) {
            return a;
        }
        a = new byte[Math.max(size, 2 * a.length)];
        if (a.length <= SCRATCH_MAX) {
            SCRATCH.set(a);
        }
        return a;
    }

    /** Writes {@code nameColonSpace}, the value and CRLF at {@code n}; returns the new end. */
    private static int field(byte[] a, int n, byte[] nameColonSpace, CharSequence value) {
        n = put(a, n, nameColonSpace);
        n = put(a, n, value);
        a[n++] = '\r';
        a[n++] = '\n';
        return n;
    }

    private static int put(byte[] a, int n, byte[] b) {
        System.arraycopy(b, 0, a, n, b.length);
        return n + b.length;
    }

    /**
     * Copies {@code s} at {@code n}, one byte per char (ISO-8859-1 for 0–255, the low byte above,
     * as Netty's {@code ByteBufUtil.writeAscii}), as {@code HttpObjectDecoder} decoded the bytes.
     */
    @SuppressWarnings("deprecation")
    private static int put(byte[] a, int n, CharSequence s) {
        int len = s.length();
        if (s instanceof AsciiString as) {
            System.arraycopy(as.array(), as.arrayOffset(), a, n, len);
        } else if (s instanceof String str) {
            // String.getBytes(int, int, byte[], int): the low byte of each char, an array copy for
            // Latin-1 strings (deprecated only because it drops the high byte, which is what we want).
            str.getBytes(0, len, a, n);
        } else {
            for (int i = 0; i < len; i++) {
                a[n + i] = (byte) s.charAt(i);
            }
        }
        return n + len;
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
}
