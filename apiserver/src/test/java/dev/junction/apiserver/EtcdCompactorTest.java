package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * kube-apiserver's compaction schedule ({@code etcd3/compact.go}) against a real etcd: history is
 * kept for one round, two API servers compact once per round between them, and an API server
 * started with a short {@code --etcd-compaction-interval} compacts while it keeps serving.
 */
class EtcdCompactorTest {
    @Test
    void compactsToTheRevisionOfTheRoundBeforeAndOnlyTheWinnerOfARoundCompacts() throws Exception {
        try (TestEtcd etcd = TestEtcd.start(); Client client = Client.builder().endpoints(etcd.url()).build()) {
            EtcdCompactor a = EtcdCompactor.manual(client);
            EtcdCompactor b = EtcdCompactor.manual(client);
            long first = put(client, "k", "1");
            assertThat(a.round()).as("the first round only records a revision").isZero();
            long recorded = revision(client);
            put(client, "k", "2");
            assertThat(b.round()).as("b has not seen compact_rev_key's version yet: it loses and learns it").isZero();

            long later = put(client, "k", "3");
            assertThat(a.round()).as("a's second round compacts to what its first round recorded").isEqualTo(recorded);
            assertThat(compacted(client, first)).isTrue();
            assertThat(compacted(client, later)).as("history after the target is kept").isFalse();

            assertThat(b.round()).as("a won again in between: b only catches up").isZero();
            long target = b.round();
            assertThat(target).as("b wins the next round and compacts to the revision its lost round saw").isGreaterThan(later);
            assertThat(compacted(client, target - 1)).isTrue();
            assertThat(a.round()).as("b moved the key's version: a lost this round and compacts nothing").isZero();
        }
    }

    @Test
    void apiServerWithAShortIntervalCompactsEtcdAndKeepsServing() throws Exception {
        try (TestEtcd etcd = TestEtcd.start();
                ApiServer server = ApiServer.builder().storageBackend("etcd3").etcdServers(List.of(etcd.url()))
                        .etcdCompactionInterval(Duration.ofMillis(300)).bindAddress("127.0.0.1").port(0)
                        .advertiseAddress("127.0.0.1").build().start();
                Client client = Client.builder().endpoints(etcd.url()).build()) {
            TestHttp http = new TestHttp(server.url());
            assertThat(http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"cp\"}}").code()).isEqualTo(201);
            long firstRv = http.post("/api/v1/namespaces/cp/services", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"ports\":[{\"port\":80}]}}")
                    .body().at("/metadata/resourceVersion").asLong();
            await().atMost(Duration.ofSeconds(20)).until(() -> compacted(client, firstRv));
            // the cache follows the head of etcd, so compaction never reaches it: writes, lists and watches go on
            TestHttp.Response b = http.post("/api/v1/namespaces/cp/services", "{\"metadata\":{\"name\":\"b\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
            assertThat(b.code()).isEqualTo(201);
            assertThat(http.get("/api/v1/namespaces/cp/services").body().at("/items").size()).isEqualTo(2);
            assertThat(http.get("/api/v1/namespaces/cp/services/b").code()).isEqualTo(200);
        }
    }

    private static long put(Client client, String key, String value) throws Exception {
        return client.getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }

    private static long revision(Client client) throws Exception {
        return client.getKVClient().get(bytes("k")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }

    /** True when etcd refuses a read at {@code rev} as compacted. */
    private static boolean compacted(Client client, long rev) throws Exception {
        try {
            client.getKVClient().get(bytes("k"), GetOption.builder().withRevision(rev).build()).get(10, TimeUnit.SECONDS);
            return false;
        } catch (ExecutionException e) {
            assertThat(e.getCause().getMessage()).contains("compacted");
            return true;
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
