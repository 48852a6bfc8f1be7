package dev.junction.ingress;

import static dev.junction.ingress.AsciiBytes.ascii;
import static dev.junction.ingress.AsciiBytes.equalsLower;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * A response head read from an endpoint as bytes (RFC 9112 §4 status line, §5 fields), for the
 * lean HTTP/1.1 path (on by default): the status, the framing of the
 * body (RFC 9112 §6.3) and the fields to forward, kept as byte ranges of one copy of the head.
 * Hop-by-hop fields are dropped as {@link HopByHop} drops them (RFC 9110 §7.6.1: {@code Connection}
 * and the fields it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE},
 * {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}, {@code Expect},
 * {@code Proxy-Authorization}). Lines end in LF with an optional CR before it (RFC 9112 §2.2, as
 * Netty's decoder); a field line starting with whitespace (obs-fold), a field without a colon or
 * with whitespace before it, a CR, NUL or LF inside a line, conflicting {@code Content-Length}
 * values or a head over {@link #MAX_HEAD} bytes make the response malformed
 * ({@link Malformed}; the proxy answers 502 as nginx does for an invalid upstream header).
 */
final class ResponseHead {
    /** Largest head accepted, in bytes (the client codec's 8 KiB status line + 64 KiB of fields). */
    static final int MAX_HEAD = 8192 + 65536;

    /** The body ends when the endpoint closes the connection (RFC 9112 §6.3 rule 8). */
    static final long UNTIL_CLOSE = -1;
    /** The body is chunked (RFC 9112 §7.1). */
    static final long CHUNKED = -2;

    /** A response that is not HTTP/1.x as RFC 9112 defines it. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static final byte[][] HOP = {ascii("connection"), ascii("keep-alive"), ascii("proxy-connection"),
            ascii("te"), ascii("trailer"), ascii("transfer-encoding"), ascii("upgrade"), ascii("expect"),
            ascii("proxy-authorization")};
    private static final byte[] CONTENT_LENGTH = ascii("content-length");

    final int status;
    /** Whether the endpoint spoke HTTP/1.1 (else HTTP/1.0). */
    final boolean http11;
    /** {@link HopByHop#CLOSE}, {@link HopByHop#KEEP_ALIVE}, {@link HopByHop#CHUNKED} as read. */
    final int hopFlags;
    /** Body length in bytes from {@code Content-Length}, or -1 if there was none. */
    final long contentLength;
    private final byte[] head;
    private final int reasonStart;
    private final int reasonEnd;
    /** Pairs of [start, end) of the field lines kept (without their line ends); name ends at the colon. */
    private final int[] fields;
    private final int fieldCount;

    private ResponseHead(int status, boolean http11, int hopFlags, long contentLength, byte[] head, int reasonStart,
            int reasonEnd, int[] fields, int fieldCount) {
        this.status = status;
        this.http11 = http11;
        this.hopFlags = hopFlags;
        this.contentLength = contentLength;
        this.head = head;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
        this.fields = fields;
        this.fieldCount = fieldCount;
    }

    /**
     * Parses a head from the readable bytes of {@code in}; on success the head's bytes (through the
     * empty line) are consumed.
     *
     * @return the head, or null if the empty line that ends it has not arrived yet ({@code in} unchanged)
     * @throws Malformed if the bytes cannot be an HTTP/1.x response head
     */
    static ResponseHead parse(ByteBuf in) throws Malformed {
        int start = in.readerIndex();
        int limit = in.writerIndex();
        int end = -1;
        for (int i = in.indexOf(start, limit, (byte) '\n'); i >= 0; i = in.indexOf(i + 1, limit, (byte) '\n')) {
            if (i + 1 < limit && in.getByte(i + 1) == '\n') {
                end = i + 2;
                break;
            }
            if (i + 2 < limit && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                end = i + 3;
                break;
            }
            if (i - start > MAX_HEAD) {
                break;
            }
        }
        if (end < 0) {
            if (limit - start > MAX_HEAD) {
                throw new Malformed("response head over " + MAX_HEAD + " bytes");
            }
            return null;
        }
        if (end - start > MAX_HEAD) {
            throw new Malformed("response head over " + MAX_HEAD + " bytes");
        }
        byte[] b = new byte[end - start];
        in.getBytes(start, b);
        ResponseHead h = parse(b);
        in.readerIndex(end);
        return h;
    }

    /** Parses a complete head (ending in an empty line). */
    static ResponseHead parse(byte[] b) throws Malformed {
        int lineEnd = lineEnd(b, 0);
        int contentEnd = trimCr(b, 0, lineEnd);
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]
        if (contentEnd < 12 || !startsWith(b, 0, "HTTP/1.") || (b[7] != '0' && b[7] != '1') || b[8] != ' '
                || !digit(b[9]) || !digit(b[10]) || !digit(b[11]) || (contentEnd > 12 && b[12] != ' ')) {
            throw new Malformed("bad status line");
        }
        boolean http11 = b[7] == '1';
        int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        if (status < 100) {
            throw new Malformed("bad status code");
        }
        int reasonStart = Math.min(13, contentEnd);
        int[] fields = new int[32];
        int n = 0;
        int flags = 0;
        long length = -1;
        byte[][] named = null;
        int pos = lineEnd + 1;
        while (true) {
            int le = lineEnd(b, pos);
            int ce = trimCr(b, pos, le);
            if (ce == pos) {
                break;
            }
            if (b[pos] == ' ' || b[pos] == '\t') {
                throw new Malformed("obs-fold");
            }
            int colon = -1;
            for (int i = pos; i < ce; i++) {
                byte c = b[i];
                if (c == ':' && colon < 0) {
                    colon = i;
                } else if (c == '\r' || c == 0) {
                    throw new Malformed("CR or NUL in a field");
                } else if (colon < 0 && (c == ' ' || c == '\t')) {
                    throw new Malformed("whitespace in a field name");
                }
            }
            if (colon <= pos) {
                throw new Malformed("field without a name");
            }
            int vs = colon + 1;
            while (vs < ce && (b[vs] == ' ' || b[vs] == '\t')) {
                vs++;
            }
            int ve = ce;
            while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
                ve--;
            }
            int hop = hopIndex(b, pos, colon);
            if (hop == 0) {
                named = connectionTokens(b, vs, ve, named);
                flags |= tokenFlags(b, vs, ve);
            } else if (hop == 5) {
                if (hasToken(b, vs, ve, "chunked")) {
                    flags |= HopByHop.CHUNKED;
                }
            } else if (hop < 0) {
                if (equalsLower(b, pos, colon, CONTENT_LENGTH)) {
                    long v = contentLength(b, vs, ve);
                    if (length >= 0 && v != length) {
                        throw new Malformed("conflicting Content-Length");
                    }
                    length = v;
                }
                if (n + 2 > fields.length) {
                    fields = java.util.Arrays.copyOf(fields, fields.length * 2);
                }
                fields[n++] = pos;
                fields[n++] = ce;
            }
            pos = le + 1;
        }
        if (named != null) {
            // Fields named by Connection are hop-by-hop too (RFC 9110 §7.6.1).
            int k = 0;
            for (int i = 0; i < n; i += 2) {
                int colon = indexOf(b, fields[i], fields[i + 1], (byte) ':');
                if (!isNamed(b, fields[i], colon, named)) {
                    fields[k++] = fields[i];
                    fields[k++] = fields[i + 1];
                } else if (equalsLower(b, fields[i], colon, CONTENT_LENGTH)) {
                    length = -1;
                }
            }
            n = k;
        }
        return new ResponseHead(status, http11, flags, length, b, reasonStart, contentEnd, fields, n);
    }

    /** Whether the response can have no body whatever its fields say (RFC 9112 §6.3 rule 1, HEAD excepted). */
    boolean bodyless() {
        return status < 200 || status == 204 || status == 304;
    }

    /** Whether the endpoint's connection may be reused after this response (RFC 9112 §9.3). */
    boolean keepAlive() {
        return (hopFlags & HopByHop.CLOSE) == 0 && (http11 || (hopFlags & HopByHop.KEEP_ALIVE) != 0);
    }

    /**
     * The body framing (RFC 9112 §6.3 rules 1, 4–8): 0 for none, a length in bytes,
     * {@link #CHUNKED} or {@link #UNTIL_CLOSE}.
     *
     * @param headRequest whether the request was HEAD (no body whatever the fields say)
     */
    long framing(boolean headRequest) {
        if (headRequest || bodyless()) {
            return 0;
        }
        if ((hopFlags & HopByHop.CHUNKED) != 0) {
            return CHUNKED;
        }
        return contentLength >= 0 ? contentLength : UNTIL_CLOSE;
    }

    /**
     * The head to send to the client: {@code HTTP/1.1}, the status and reason as received, the kept
     * fields ({@code name: value}, value trimmed, as Netty's encoder writes them), then the given
     * extra fields in order ({@code null} entries skipped), then the empty line.
     *
     * @param dropContentLength leave out {@code Content-Length} (the body goes out chunked; RFC 9112 §6.2)
     * @param extra name and value pairs, lower-case names, ASCII
     */
    ByteBuf encode(ByteBufAllocator alloc, boolean dropContentLength, String... extra) {
        int size = 12 + (reasonEnd - reasonStart) + 2 + 2;
        for (int i = 0; i < fieldCount; i += 2) {
            size += fields[i + 1] - fields[i] + 3;
        }
        for (int i = 0; i + 1 < extra.length; i += 2) {
            if (extra[i] != null) {
                size += extra[i].length() + extra[i + 1].length() + 4;
            }
        }
        ByteBuf out = alloc.buffer(size);
        out.writeBytes(STATUS_PREFIX);
        out.writeBytes(head, 9, 3);
        out.writeByte(' ');
        out.writeBytes(head, reasonStart, reasonEnd - reasonStart);
        out.writeShort(CRLF);
        for (int i = 0; i < fieldCount; i += 2) {
            int s = fields[i];
            int e = fields[i + 1];
            int colon = indexOf(head, s, e, (byte) ':');
            if (dropContentLength && equalsLower(head, s, colon, CONTENT_LENGTH)) {
                continue;
            }
            int vs = colon + 1;
            while (vs < e && (head[vs] == ' ' || head[vs] == '\t')) {
                vs++;
            }
            int ve = e;
            while (ve > vs && (head[ve - 1] == ' ' || head[ve - 1] == '\t')) {
                ve--;
            }
            out.writeBytes(head, s, colon - s);
            out.writeByte(':');
            out.writeByte(' ');
            out.writeBytes(head, vs, ve - vs);
            out.writeShort(CRLF);
        }
        for (int i = 0; i + 1 < extra.length; i += 2) {
            if (extra[i] != null) {
                out.writeCharSequence(extra[i], StandardCharsets.US_ASCII);
                out.writeByte(':');
                out.writeByte(' ');
                out.writeCharSequence(extra[i + 1], StandardCharsets.ISO_8859_1);
                out.writeShort(CRLF);
            }
        }
        out.writeShort(CRLF);
        return out;
    }

    private static final byte[] STATUS_PREFIX = ascii("HTTP/1.1 ");
    private static final int CRLF = ('\r' << 8) | '\n';

    private static int lineEnd(byte[] b, int from) throws Malformed {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        throw new Malformed("truncated head");
    }

    private static int trimCr(byte[] b, int start, int lf) {
        return lf > start && b[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private static long contentLength(byte[] b, int s, int e) throws Malformed {
        long v = -1;
        // A list of equal values ("5, 5") is one length (RFC 9112 §6.3 rule 5); anything else is malformed.
        int i = s;
        while (i < e) {
            long x = 0;
            int digits = 0;
            while (i < e && digit(b[i])) {
                if (++digits > 18) {
                    throw new Malformed("Content-Length too large");
                }
                x = x * 10 + (b[i++] - '0');
            }
            if (digits == 0 || (v >= 0 && v != x)) {
                throw new Malformed("bad Content-Length");
            }
            v = x;
            while (i < e && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            if (i < e) {
                if (b[i] != ',') {
                    throw new Malformed("bad Content-Length");
                }
                i++;
                while (i < e && (b[i] == ' ' || b[i] == '\t')) {
                    i++;
                }
            }
        }
        if (v < 0) {
            throw new Malformed("empty Content-Length");
        }
        return v;
    }

    private static int hopIndex(byte[] b, int s, int e) {
        for (int i = 0; i < HOP.length; i++) {
            if (equalsLower(b, s, e, HOP[i])) {
                return i;
            }
        }
        return -1;
    }

    private static int tokenFlags(byte[] b, int s, int e) {
        int f = 0;
        if (hasToken(b, s, e, "close")) {
            f |= HopByHop.CLOSE;
        }
        if (hasToken(b, s, e, "keep-alive")) {
            f |= HopByHop.KEEP_ALIVE;
        }
        return f;
    }

    /** Visits one list element of a field value: bytes {@code [a, z)}, optional whitespace trimmed. */
    @FunctionalInterface
    private interface TokenVisitor {
        /** @return true to stop the scan */
        boolean visit(int a, int z);
    }

    /**
     * Walks the comma-separated elements of {@code b[s, e)} (RFC 9110 §5.6.1 list syntax, OWS around
     * each element), empty elements included.
     *
     * @return true when the visitor stopped the scan
     */
    private static boolean scanTokens(byte[] b, int s, int e, TokenVisitor visitor) {
        int ts = s;
        for (int i = s; i <= e; i++) {
            if (i == e || b[i] == ',') {
                int a = ts;
                int z = i;
                while (a < z && (b[a] == ' ' || b[a] == '\t')) {
                    a++;
                }
                while (z > a && (b[z - 1] == ' ' || b[z - 1] == '\t')) {
                    z--;
                }
                if (visitor.visit(a, z)) {
                    return true;
                }
                ts = i + 1;
            }
        }
        return false;
    }

    private static boolean hasToken(byte[] b, int s, int e, String token) {
        byte[] t = ascii(token);
        return scanTokens(b, s, e, (a, z) -> equalsLower(b, a, z, t));
    }

    private static byte[][] connectionTokens(byte[] b, int s, int e, byte[][] into) {
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        if (into != null) {
            out.addAll(java.util.Arrays.asList(into));
        }
        scanTokens(b, s, e, (a, z) -> {
            if (z > a) {
                byte[] t = java.util.Arrays.copyOfRange(b, a, z);
                for (int k = 0; k < t.length; k++) {
                    if (t[k] >= 'A' && t[k] <= 'Z') {
                        t[k] += 32;
                    }
                }
                out.add(t);
            }
            return false;
        });
        return out.isEmpty() ? into : out.toArray(new byte[0][]);
    }

    private static boolean isNamed(byte[] b, int s, int e, byte[][] named) {
        for (byte[] t : named) {
            if (equalsLower(b, s, e, t)) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] b, int s, int e, byte c) {
        for (int i = s; i < e; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }
}
