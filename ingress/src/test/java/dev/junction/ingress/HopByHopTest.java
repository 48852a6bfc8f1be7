package dev.junction.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** {@link HopByHop}: which fields go (RFC 9110 §7.6.1), which stay, and what Connection/Transfer-Encoding said. */
class HopByHopTest {
    @Test
    void removesHopByHopAndConnectionNamedFieldsKeepsTheRest() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Host", "a");
        h.add("CONNECTION", "Keep-Alive, X-Private");
        h.add("connection", "upgrade");
        h.add("X-Private", "secret");
        h.add("Keep-Alive", "timeout=5");
        h.add("Proxy-Connection", "keep-alive");
        h.add("TE", "trailers");
        h.add("Trailer", "x");
        h.add("Transfer-Encoding", "gzip, Chunked");
        h.add("Upgrade", "websocket");
        h.add("Expect", "100-continue");
        h.add("Proxy-Authorization", "Basic x");
        h.add("X-Kept", "1");
        h.add("x-kept", "2");

        int flags = HopByHop.strip(h);

        assertThat(flags).isEqualTo(HopByHop.KEEP_ALIVE | HopByHop.CHUNKED);
        assertThat(h.size()).isEqualTo(3);
        assertThat(h.get("host")).isEqualTo("a");
        assertThat(h.getAll("x-kept")).containsExactly("1", "2");
    }

    @Test
    void reportsCloseAndLeavesPlainMessagesAlone() {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Connection", "Foo , close");
        h.add("Content-Length", "2");
        assertThat(HopByHop.strip(h)).isEqualTo(HopByHop.CLOSE);
        assertThat(h.names()).containsExactly("Content-Length");
        assertThat(h.contains("foo")).isFalse();

        HttpHeaders plain = new DefaultHttpHeaders();
        plain.add("Content-Type", "text/plain");
        plain.add("Transfer-Encoding-X", "chunked");
        assertThat(HopByHop.strip(plain)).isZero();
        assertThat(plain.size()).isEqualTo(2);
    }
}
