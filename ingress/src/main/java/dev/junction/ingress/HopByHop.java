package dev.junction.ingress;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Removes the hop-by-hop headers of a message a proxy forwards (RFC 9110 §7.6.1: {@code Connection}
 * and every field it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE},
 * {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}, and, as nginx does, {@code Expect}
 * and {@code Proxy-Authorization}) in one pass over the headers, and reports what the removed
 * {@code Connection} and {@code Transfer-Encoding} fields said. Most messages carry none or only
 * {@code Connection}, so a pass over a few entries replaces one hash lookup per hop-by-hop name.
 */
final class HopByHop {
    /** {@code Connection} had the {@code close} token. */
    static final int CLOSE = 1;
    /** {@code Connection} had the {@code keep-alive} token. */
    static final int KEEP_ALIVE = 2;
    /** {@code Transfer-Encoding} listed {@code chunked}. */
    static final int CHUNKED = 4;

    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString[] NAMES = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            PROXY_CONNECTION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.EXPECT, HttpHeaderNames.PROXY_AUTHORIZATION};

    private HopByHop() {
    }

    /**
     * Strips the hop-by-hop headers of {@code h} in place.
     *
     * @return a bit set of {@link #CLOSE}, {@link #KEEP_ALIVE} (tokens of the removed
     *         {@code Connection} fields, case-insensitive) and {@link #CHUNKED}
     */
    static int strip(HttpHeaders h) {
        int found = 0;
        int flags = 0;
        List<String> named = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            int i = indexOf(e.getKey());
            if (i < 0) {
                continue;
            }
            found |= 1 << i;
            if (i == 0) {
                named = connectionTokens(e.getValue(), named);
                if (named != null) {
                    for (int k = named.size() - 1; k >= 0; k--) {
                        String t = named.get(k);
                        if (HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(t)) {
                            flags |= CLOSE;
                        } else if (HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(t)) {
                            flags |= KEEP_ALIVE;
                        }
                    }
                }
            } else if (i == 5 && containsToken(e.getValue(), HttpHeaderValues.CHUNKED)) {
                flags |= CHUNKED;
            }
        }
        for (int i = 0; i < NAMES.length; i++) {
            if ((found & (1 << i)) != 0) {
                h.remove(NAMES[i]);
            }
        }
        if (named != null) {
            for (String name : named) {
                h.remove(name);
            }
        }
        return flags;
    }

    /** The index of {@code name} in {@link #NAMES} (case-insensitive), or -1. */
    private static int indexOf(CharSequence name) {
        int n = name.length();
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].length() == n && NAMES[i].contentEqualsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> connectionTokens(CharSequence value, List<String> into) {
        int start = 0;
        int n = value.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || value.charAt(i) == ',') {
                String t = value.subSequence(start, i).toString().trim();
                if (!t.isEmpty()) {
                    if (into == null) {
                        into = new ArrayList<>(2);
                    }
                    into.add(t);
                }
                start = i + 1;
            }
        }
        return into;
    }

    private static boolean containsToken(CharSequence value, AsciiString token) {
        int start = 0;
        int n = value.length();
        for (int i = 0; i <= n; i++) {
            if (i == n || value.charAt(i) == ',') {
                if (token.contentEqualsIgnoreCase(value.subSequence(start, i).toString().trim())) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }
}
