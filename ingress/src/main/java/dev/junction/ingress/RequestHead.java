package dev.junction.ingress;

import static dev.junction.ingress.AsciiBytes.ascii;
import static dev.junction.ingress.AsciiBytes.equalsLower;

import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A client's HTTP/1.1 request head read as bytes for the lean path ({@link LeanRequestDecoder},
 * on by default): method, request-target and fields kept as byte
 * ranges of one copy of the head, with lookups for what routing and forwarding need.
 *
 * <p>{@link #parse} accepts only the plain, common case, strictly as RFC 9112 writes it: a request
 * line {@code method SP origin-form SP "HTTP/1.1" CRLF} (§3; methods GET, POST, PUT, DELETE,
 * OPTIONS, PATCH, TRACE; a target of visible ASCII starting with {@code /}), field lines
 * {@code token ":" OWS value OWS CRLF} (§5; values of visible ASCII, SP and HTAB), the empty line,
 * at most {@link #MAX_FIELDS} fields and a head of at most the given size; exactly one
 * {@code Host} (RFC 9112 §3.2), no body ({@code Content-Length} absent or a single {@code 0}, no
 * {@code Transfer-Encoding}: §6.3) and neither {@code Upgrade} (WebSocket, h2c) nor {@code Expect}.
 * Everything else — obs-fold, bare LF, whitespace before the colon, obs-text, HEAD and CONNECT,
 * HTTP/1.0 and HTTP/2 prior knowledge, bodies, oversize heads (414/431), smuggling attempts (400) —
 * returns {@link #NOT_LEAN}: the connection then goes to Netty's {@code HttpRequestDecoder} and
 * {@link RequestGuardHandler}, which answer those exactly as on the codec path.
 */
final class RequestHead {
    /** The bytes cannot take the lean path; hand them to Netty's decoder. */
    static final RequestHead NOT_LEAN = new RequestHead(HttpMethod.GET, new byte[0], 0, 0, new int[0], 0, true, 0);
    /** Most fields a lean head may have (one bit each in {@link #forwardMask}). */
    static final int MAX_FIELDS = 64;

    private static final boolean[] TCHAR = new boolean[256];
    private static final byte[] VERSION = ascii("HTTP/1.1\r\n");
    private static final byte[] HOST = ascii("host");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] CONNECTION = ascii("connection");
    /** Fields never forwarded: not lean at all (first three), or hop-by-hop (RFC 9110 §7.6.1, as {@link HopByHop}). */
    private static final byte[][] NOT_LEAN_FIELDS = {ascii("transfer-encoding"), ascii("upgrade"), ascii("expect")};
    private static final byte[][] HOP_BY_HOP = {ascii("keep-alive"), ascii("proxy-connection"), ascii("te"),
            ascii("trailer"), ascii("proxy-authorization")};

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private final HttpMethod method;
    private final byte[] head;
    private final int targetStart;
    private final int targetEnd;
    /** Quads of [name start, name end, value start, value end) per field, offsets into {@link #head}. */
    private final int[] fields;
    private final int fieldCount;
    private final boolean keepAlive;
    /** Bit i set: field i is forwarded (not hop-by-hop, not named by {@code Connection}). */
    private final long forwardMask;
    private String target;

    private RequestHead(HttpMethod method, byte[] head, int targetStart, int targetEnd, int[] fields, int fieldCount,
            boolean keepAlive, long forwardMask) {
        this.method = method;
        this.head = head;
        this.targetStart = targetStart;
        this.targetEnd = targetEnd;
        this.fields = fields;
        this.fieldCount = fieldCount;
        this.keepAlive = keepAlive;
        this.forwardMask = forwardMask;
    }

    /**
     * Parses one request head from {@code a[from, to)}.
     *
     * @param maxHead largest head accepted, in bytes; a longer one (complete or not) is {@link #NOT_LEAN}
     * @return the head (its {@link #length()} bytes from {@code from} are consumed), null if the
     *         head is not complete yet and may still be lean, or {@link #NOT_LEAN}
     */
    static RequestHead parse(byte[] a, int from, int to, int maxHead) {
        int end = Math.min(to, from + maxHead);
        boolean truncated = end < to;
        int i = from;
        while (i < end && TCHAR[a[i] & 0xff]) {
            i++;
        }
        if (i == end) {
            return incomplete(truncated || i - from > 8);
        }
        HttpMethod method = method(a, from, i);
        if (a[i] != ' ' || method == null) {
            return NOT_LEAN;
        }
        int ts = ++i;
        if (i < end && a[i] != '/') {
            return NOT_LEAN;
        }
        while (i < end && a[i] > 0x20 && a[i] < 0x7f) {
            i++;
        }
        if (i == end) {
            return incomplete(truncated);
        }
        int te = i;
        if (a[i] != ' ' || te == ts) {
            return NOT_LEAN;
        }
        i++;
        for (int k = 0; k < VERSION.length; k++, i++) {
            if (i == end) {
                return incomplete(truncated);
            }
            if (a[i] != VERSION[k]) {
                return NOT_LEAN;
            }
        }
        int[] f = new int[32];
        int n = 0;
        while (true) {
            if (i == end) {
                return incomplete(truncated);
            }
            if (a[i] == '\r') {
                if (i + 1 == end) {
                    return incomplete(truncated);
                }
                if (a[i + 1] != '\n') {
                    return NOT_LEAN;
                }
                i += 2;
                break;
            }
            int ns = i;
            while (i < end && TCHAR[a[i] & 0xff]) {
                i++;
            }
            if (i == end) {
                return incomplete(truncated);
            }
            if (a[i] != ':' || i == ns || n == MAX_FIELDS) {
                return NOT_LEAN;
            }
            int ne = i++;
            while (i < end && (a[i] == ' ' || a[i] == '\t')) {
                i++;
            }
            int vs = i;
            int ve = i;
            while (i < end && a[i] != '\r') {
                byte b = a[i++];
                if (b == '\t' || b == ' ') {
                    continue;
                }
                if (b < 0x20 || b == 0x7f) {
                    return NOT_LEAN;
                }
                ve = i;
            }
            if (i + 1 >= end) {
                return incomplete(truncated);
            }
            if (a[i + 1] != '\n') {
                return NOT_LEAN;
            }
            i += 2;
            if (4 * n + 4 > f.length) {
                f = Arrays.copyOf(f, 2 * f.length);
            }
            f[4 * n] = ns - from;
            f[4 * n + 1] = ne - from;
            f[4 * n + 2] = vs - from;
            f[4 * n + 3] = ve - from;
            n++;
        }
        byte[] head = Arrays.copyOfRange(a, from, i);
        return semantics(method, head, ts - from, te - from, f, n);
    }

    private static RequestHead incomplete(boolean tooLong) {
        return tooLong ? NOT_LEAN : null;
    }

    /** Host, framing and hop-by-hop rules over the parsed fields. */
    private static RequestHead semantics(HttpMethod method, byte[] h, int ts, int te, int[] f, int n) {
        int hosts = 0;
        boolean close = false;
        long forward = n == 64 ? -1L : (1L << n) - 1;
        long connectionFields = 0;
        for (int k = 0; k < n; k++) {
            int ns = f[4 * k];
            int ne = f[4 * k + 1];
            if (equalsLower(h, ns, ne, HOST)) {
                hosts++;
            } else if (equalsLower(h, ns, ne, CONTENT_LENGTH)) {
                if (f[4 * k + 3] - f[4 * k + 2] != 1 || h[f[4 * k + 2]] != '0') {
                    return NOT_LEAN;
                }
            } else if (equalsLower(h, ns, ne, CONNECTION)) {
                connectionFields |= 1L << k;
                forward &= ~(1L << k);
            } else {
                for (byte[] name : NOT_LEAN_FIELDS) {
                    if (equalsLower(h, ns, ne, name)) {
                        return NOT_LEAN;
                    }
                }
                for (byte[] name : HOP_BY_HOP) {
                    if (equalsLower(h, ns, ne, name)) {
                        forward &= ~(1L << k);
                    }
                }
            }
        }
        if (hosts != 1 || countContentLength(h, f, n) > 1) {
            return NOT_LEAN;
        }
        for (int k = 0; connectionFields != 0 && k < n; k++) {
            if ((connectionFields & (1L << k)) == 0) {
                continue;
            }
            // Connection's tokens (RFC 9110 §7.6.1): close, and the names of more hop-by-hop fields.
            int p = f[4 * k + 2];
            int ve = f[4 * k + 3];
            while (p <= ve) {
                int q = p;
                while (q < ve && h[q] != ',') {
                    q++;
                }
                int s = p;
                int e = q;
                while (s < e && (h[s] == ' ' || h[s] == '\t')) {
                    s++;
                }
                while (e > s && (h[e - 1] == ' ' || h[e - 1] == '\t')) {
                    e--;
                }
                if (e - s == 5 && equalsIgnoreCase(h, s, e, "close")) {
                    close = true;
                }
                for (int j = 0; j < n && e > s; j++) {
                    if (f[4 * j + 1] - f[4 * j] == e - s && regionEqualsIgnoreCase(h, f[4 * j], h, s, e - s)) {
                        forward &= ~(1L << j);
                    }
                }
                p = q + 1;
            }
        }
        return new RequestHead(method, h, ts, te, f, n, !close, forward);
    }

    private static int countContentLength(byte[] h, int[] f, int n) {
        int c = 0;
        for (int k = 0; k < n; k++) {
            if (equalsLower(h, f[4 * k], f[4 * k + 1], CONTENT_LENGTH)) {
                c++;
            }
        }
        return c;
    }

    /** The methods the lean path takes (HEAD and CONNECT need the codecs' method queues); else null. */
    private static HttpMethod method(byte[] a, int s, int e) {
        switch (e - s) {
            case 3:
                if (a[s] == 'G' && a[s + 1] == 'E' && a[s + 2] == 'T') {
                    return HttpMethod.GET;
                }
                if (a[s] == 'P' && a[s + 1] == 'U' && a[s + 2] == 'T') {
                    return HttpMethod.PUT;
                }
                return null;
            case 4:
                return exact(a, s, "POST") ? HttpMethod.POST : null;
            case 5:
                if (a[s] == 'P' && a[s + 1] == 'A' && a[s + 2] == 'T' && a[s + 3] == 'C' && a[s + 4] == 'H') {
                    return HttpMethod.PATCH;
                }
                if (a[s] == 'T' && a[s + 1] == 'R' && a[s + 2] == 'A' && a[s + 3] == 'C' && a[s + 4] == 'E') {
                    return HttpMethod.TRACE;
                }
                return null;
            case 6:
                return exact(a, s, "DELETE") ? HttpMethod.DELETE : null;
            case 7:
                return exact(a, s, "OPTIONS") ? HttpMethod.OPTIONS : null;
            default:
                return null;
        }
    }

    private static boolean exact(byte[] a, int s, String m) {
        for (int i = 0; i < m.length(); i++) {
            if (a[s + i] != m.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The request method (never HEAD or CONNECT). */
    HttpMethod method() {
        return method;
    }

    /** The request-target as sent (origin-form, visible ASCII). */
    String target() {
        String t = target;
        if (t == null) {
            t = target = new String(head, targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
        }
        return t;
    }

    /** Bytes of the head, request line through the empty line. */
    int length() {
        return head.length;
    }

    /** Whether the connection stays open after this request (HTTP/1.1 without {@code Connection: close}). */
    boolean keepAlive() {
        return keepAlive;
    }

    /** Number of fields. */
    int fieldCount() {
        return fieldCount;
    }

    /** Whether field {@code i} is forwarded (not hop-by-hop, not named by {@code Connection}). */
    boolean forwarded(int i) {
        return (forwardMask & (1L << i)) != 0;
    }

    /** Whether field {@code i}'s name is {@code lower} (lower case ASCII), ignoring case. */
    boolean nameIs(int i, byte[] lower) {
        return equalsLower(head, fields[4 * i], fields[4 * i + 1], lower);
    }

    /** Copies field {@code i} as {@code name: value} at {@code a[n]}; returns the new end (no line end). */
    int copyField(int i, byte[] a, int n) {
        int ns = fields[4 * i];
        int nl = fields[4 * i + 1] - ns;
        System.arraycopy(head, ns, a, n, nl);
        n += nl;
        a[n++] = ':';
        a[n++] = ' ';
        int vs = fields[4 * i + 2];
        int vl = fields[4 * i + 3] - vs;
        System.arraycopy(head, vs, a, n, vl);
        return n + vl;
    }

    /** Upper bound of the bytes {@link #copyField} writes for all fields, line ends included. */
    int fieldBytes() {
        return head.length + 2 * fieldCount;
    }

    /** The first value of field {@code name} (any case), trimmed, or empty. */
    Optional<String> header(String name) {
        for (int i = 0; i < fieldCount; i++) {
            int ns = fields[4 * i];
            if (fields[4 * i + 1] - ns == name.length() && equalsIgnoreCase(head, ns, ns + name.length(), name)) {
                int vs = fields[4 * i + 2];
                return Optional.of(new String(head, vs, fields[4 * i + 3] - vs, StandardCharsets.ISO_8859_1));
            }
        }
        return Optional.empty();
    }

    /** The {@code Host} value (exactly one is present). */
    String host() {
        return header("host").orElse("");
    }

    private static boolean equalsIgnoreCase(byte[] a, int s, int e, String name) {
        for (int i = 0; i < e - s; i++) {
            int c = a[s + i];
            int d = name.charAt(i);
            if (c != d && toLower(c) != toLower(d)) {
                return false;
            }
        }
        return true;
    }

    private static boolean regionEqualsIgnoreCase(byte[] a, int as, byte[] b, int bs, int len) {
        for (int i = 0; i < len; i++) {
            if (toLower(a[as + i]) != toLower(b[bs + i])) {
                return false;
            }
        }
        return true;
    }

    private static int toLower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
}
