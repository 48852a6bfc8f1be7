package dev.junction.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The cache re-lists when its etcd watch is lost, as upstream's cacher does when its reflector's
 * watch fails: a real etcd compacted past the revision the cache follows from. The cache's first
 * {@code follow} is held back (standing in for a cache that fell behind) while another API server
 * writes and etcd is compacted, then released: etcd refuses the watch as compacted, and the cache
 * must load again, report what changed, end its watches, answer 410 for the old revision and
 * follow etcd's later writes.
 */
class StoreRelistTest {
    @Test
    void cacheWhoseWatchWasCompactedReListsEndsWatchesAndFollowsAgain() throws Exception {
        try (TestEtcd etcd = TestEtcd.start();
                ApiServer writer = ApiServer.builder().storageBackend("etcd3").etcdServers(List.of(etcd.url()))
                        .bindAddress("127.0.0.1").port(0).advertiseAddress("127.0.0.1").build().start()) {
            HeldFollow storage = new HeldFollow(new EtcdStorage(List.of(etcd.url()), "/registry", java.time.Duration.ZERO));
            TestHttp http = new TestHttp(writer.url());
            assertThat(http.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"rl\"}}").code()).isEqualTo(201);
            assertThat(http.post("/api/v1/namespaces/rl/services", svc("keep")).code()).isEqualTo(201);
            assertThat(http.post("/api/v1/namespaces/rl/services", svc("gone")).code()).isEqualTo(201);

            try (Store store = new Store(storage, 100)) { // closes the storage
                relistAfterCompaction(etcd, http, storage, store);
            }
        }
    }

    private static void relistAfterCompaction(TestEtcd etcd, TestHttp http, HeldFollow storage, Store store) throws Exception {
        long loadedAt = store.revision();
        List<WatchEvent> changes = new CopyOnWriteArrayList<>();
        store.addListener(changes::add);
        List<WatchEvent> watched = new CopyOnWriteArrayList<>();
        AtomicBoolean ended = new AtomicBoolean();
        store.watch(Resources.SERVICES, Optional.of("rl"), Optional.of(loadedAt), watched::add, () -> ended.set(true));

        // while the cache is not following: one Service added, one deleted, then etcd compacted
        assertThat(http.post("/api/v1/namespaces/rl/services", svc("added")).code()).isEqualTo(201);
        assertThat(http.delete("/api/v1/namespaces/rl/services/gone").code()).isEqualTo(200);
        try (Client c = Client.builder().endpoints(etcd.url()).build()) {
            long now = c.getKVClient().get(io.etcd.jetcd.ByteSequence.from("x", java.nio.charset.StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS).getHeader().getRevision();
            c.getKVClient().compact(now).get(10, TimeUnit.SECONDS);
        }
        assertThat(store.get(Resources.SERVICES, "rl", "gone")).isPresent(); // stale until it re-lists

        storage.release();
        await().atMost(Duration.ofSeconds(20)).until(ended::get);
        assertThat(store.get(Resources.SERVICES, "rl", "added")).isPresent();
        assertThat(store.get(Resources.SERVICES, "rl", "gone")).isEmpty();
        assertThat(store.get(Resources.SERVICES, "rl", "keep")).isPresent();
        assertThat(changes).extracting(e -> e.type() + " " + e.object().at("/metadata/name").asText())
                .contains("ADDED added", "DELETED gone").doesNotContain("MODIFIED keep", "ADDED keep");
        assertThat(watched).isEmpty(); // ended, not fed the lost events
        assertThat(store.revision()).isGreaterThan(loadedAt);
        assertThatThrownBy(() -> store.checkWatchable(loadedAt))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(410));

        // following etcd again: a later write through the other server reaches this cache
        assertThat(http.post("/api/v1/namespaces/rl/services", svc("later")).code()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> store.get(Resources.SERVICES, "rl", "later").isPresent());
        assertThat(changes).extracting(e -> e.type() + " " + e.object().at("/metadata/name").asText()).contains("ADDED later");
    }

    private static String svc(String name) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"ports\":[{\"port\":80}]}}";
    }

    /** The etcd storage with its first {@code follow} held until {@link #release()}; everything else passes through. */
    private static final class HeldFollow implements Storage {
        private final EtcdStorage etcd;
        private final CompletableFuture<Runnable> held = new CompletableFuture<>();
        private boolean first = true;

        HeldFollow(EtcdStorage etcd) {
            this.etcd = etcd;
        }

        void release() {
            held.join().run();
        }

        @Override
        public Loaded load(Consumer<WatchEvent> sink) {
            return etcd.load(sink);
        }

        @Override
        public boolean assignsRevisions() {
            return etcd.assignsRevisions();
        }

        @Override
        public CompletableFuture<Long> write(Write write) {
            return etcd.write(write);
        }

        @Override
        public synchronized void follow(long afterRevision, Consumer<List<WatchEvent>> sink, Runnable lost) {
            if (first) {
                first = false;
                held.complete(() -> etcd.follow(afterRevision, sink, lost));
            } else {
                etcd.follow(afterRevision, sink, lost);
            }
        }

        @Override
        public List<WatchEvent> history(long after, long upTo) {
            return etcd.history(after, upTo);
        }

        @Override
        public long compacted() {
            return etcd.compacted();
        }

        @Override
        public void close() {
            etcd.close();
        }
    }
}
