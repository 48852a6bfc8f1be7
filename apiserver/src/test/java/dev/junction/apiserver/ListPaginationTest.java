package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API chunking (limit/continue, remainingItemCount), bad/expired continue tokens, selectors across pages. */
class ListPaginationTest {
    @TempDir
    static Path dir;
    static ApiServer server;
    static TestHttp http;

    @BeforeAll
    static void start() {
        server = ApiServer.builder().dataDir(dir).bindAddress("127.0.0.1").port(0).advertiseAddress("172.30.0.10").build().start();
        http = new TestHttp(server.url());
        for (int i = 0; i < 7; i++) {
            http.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"page-" + i + "\",\"labels\":{\"odd\":\""
                    + (i % 2 == 1) + "\"}}}");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void pagesCoverEveryItemOnceWithTheFirstPagesResourceVersion() {
        List<String> names = new ArrayList<>();
        String token = "";
        String rv = null;
        int pages = 0;
        do {
            JsonNode page = http.get("/api/v1/namespaces/default/configmaps?limit=3" + (token.isEmpty() ? "" : "&continue=" + token)).body();
            page.path("items").forEach(i -> names.add(i.at("/metadata/name").asText()));
            if (rv == null) {
                rv = page.at("/metadata/resourceVersion").asText();
                assertThat(page.at("/metadata/remainingItemCount").asInt()).isEqualTo(4);
            } else {
                assertThat(page.at("/metadata/resourceVersion").asText()).isEqualTo(rv);
            }
            token = page.at("/metadata/continue").asText("");
            pages++;
        } while (!token.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly("page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6");
    }

    @Test
    void selectorsApplyBeforeTheLimit() {
        JsonNode page = http.get("/api/v1/namespaces/default/configmaps?limit=2&labelSelector=odd%3Dtrue").body();
        assertThat(page.path("items").findValuesAsText("name")).containsExactly("page-1", "page-3");
        JsonNode rest = http.get("/api/v1/namespaces/default/configmaps?limit=2&labelSelector=odd%3Dtrue&continue="
                + page.at("/metadata/continue").asText()).body();
        assertThat(rest.path("items").findValuesAsText("name")).containsExactly("page-5");
        assertThat(rest.at("/metadata/continue").isMissingNode()).isTrue();
    }

    @Test
    void badAndExpiredTokens() {
        assertThat(http.get("/api/v1/namespaces/default/configmaps?limit=2&continue=not-a-token").code()).isEqualTo(400);
        String expired = new ContinueToken(1, "default/page-0").encode();
        // revision 1 is inside the in-memory window of a fresh server, so it is still served
        assertThat(http.get("/api/v1/namespaces/default/configmaps?limit=2&continue=" + expired).code()).isEqualTo(200);
        String future = new ContinueToken(-5, "default/page-0").encode();
        TestHttp.Response gone = http.get("/api/v1/namespaces/default/configmaps?limit=2&continue=" + future);
        assertThat(gone.code()).isEqualTo(410);
        assertThat(gone.body().path("reason").asText()).isEqualTo("Expired");
    }
}
