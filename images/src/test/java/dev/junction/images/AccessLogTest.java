package dev.junction.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class AccessLogTest {

    @Test
    void writesNginxCombinedFormat() {
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/index.html?x=1");
        request.headers().set("User-Agent", "curl/7.88.1");
        var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        EmbeddedChannel channel = new EmbeddedChannel();
        String line = AccessLog.line(request, response, channel, ZonedDateTime.of(2026, 11, 21, 19, 30, 5, 0, ZoneOffset.UTC));
        assertThat(line).isEqualTo("- - - [21/Nov/2026:19:30:05 +0000] \"GET /index.html?x=1 HTTP/1.1\" 200 5 \"-\" \"curl/7.88.1\"");
        request.release();
        response.release();
        channel.finishAndReleaseAll();
    }
}
