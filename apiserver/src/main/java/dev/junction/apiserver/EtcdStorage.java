package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent.EventType;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd v3 storage through jetcd, as upstream's {@code k8s.io/apiserver/pkg/storage/etcd3/store.go}:
 * objects are JSON values under {@link EtcdKeys}, {@code metadata.resourceVersion} is the key's
 * {@code mod_revision} (not stored in the value, set when decoding), a create is a transaction
 * comparing {@code create_revision == 0} and an update or delete one comparing
 * {@code mod_revision} with the revision the writer read (GuaranteedUpdate's precondition), so
 * writes through several API servers conflict as upstream's do. The transaction also claims and
 * releases the Service's allocation keys ({@link Storage.Guards}). {@link #follow} is one etcd
 * watch on the whole prefix from the loaded revision, with previous values, like the cacher's
 * reflector. etcd acknowledges a transaction only after its raft log entry is fsynced.
 *
 * <p>Threads: jetcd delivers every response and watch event on one Vert.x event loop, which must
 * never wait for the {@link Store} monitor (that stalled every etcd reply behind the writers doing
 * validation under it). Watch responses are decoded and applied, and write futures completed, on
 * one {@code etcd-apply} thread instead, in arrival order. A put's own watch event is not parsed
 * again: a copy of the object written is indexed (upstream's cacher decodes it from the watch).
 */
final class EtcdStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdStorage.class);
    /** Longest wait for one etcd request, in seconds. */
    static final long TIMEOUT_SECONDS = 30;

    private final Client client;
    private final EtcdKeys keys;
    /**
     * This server's puts in flight, by etcd key: the value bytes written and the object they encode,
     * so that the watch event bringing a write back is not parsed again (a value with the very same
     * bytes is the very same object, whichever server wrote it).
     */
    private final Map<String, OwnPut> ownPuts = new ConcurrentHashMap<>();
    /**
     * The one thread that decodes watch responses, hands them to the follower and completes write
     * futures, in arrival order (a write's completion and its own watch event both pass here).
     */
    private final ExecutorService applier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "etcd-apply");
        t.setDaemon(true);
        return t;
    });
    private volatile Watch.Watcher watcher;
    private volatile boolean closed;
    /** Null when compaction is off. */
    private final EtcdCompactor compactor;

    /** A put of this server in flight: the value written and the (never again mutated) object it encodes. */
    private record OwnPut(byte[] value, ObjectNode object) {
    }

    /**
     * @param endpoints          etcd client URLs, e.g. {@code http://127.0.0.1:2379}
     * @param prefix             key prefix ({@code --etcd-prefix}, default {@code /registry})
     * @param compactionInterval {@code --etcd-compaction-interval}: how often {@link EtcdCompactor}
     *                           compacts etcd's history; zero disables compaction
     * @throws IllegalArgumentException when {@code endpoints} is empty or the interval negative ({@link EtcdCompactor#start})
     */
    EtcdStorage(List<String> endpoints, String prefix, java.time.Duration compactionInterval) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("--etcd-servers is empty");
        }
        this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
        this.keys = new EtcdKeys(requireNonNull(prefix, "prefix"));
        this.compactor = compactionInterval.isZero() ? null : EtcdCompactor.start(client, compactionInterval);
    }

    /** The key layout in use. */
    EtcdKeys keys() {
        return keys;
    }

    @Override
    public Loaded load(Consumer<WatchEvent> sink) {
        try {
            GetResponse r = client.getKVClient().get(bytes(keys.root()), GetOption.builder().isPrefix(true).build())
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            for (KeyValue kv : r.getKvs()) {
                decode(kv.getKey(), kv, kv.getModRevision()).ifPresent(e -> sink.accept(new WatchEvent(kv.getModRevision(),
                        WatchEvent.Type.ADDED, e.storageKey(), e.namespace(), e.object(), Optional.empty())));
            }
            return new Loaded(r.getHeader().getRevision(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted loading from etcd", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read " + keys.root() + " from etcd: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean assignsRevisions() {
        return true;
    }

    @Override
    public CompletableFuture<Long> write(Write w) {
        WatchEvent e = w.event();
        String keyText = keys.key(e.storageKey(), e.namespace(), w.name());
        ByteSequence key = bytes(keyText);
        OwnPut own = null;
        List<Cmp> cmps = new ArrayList<>();
        cmps.add(w.expectedRevision() == 0 ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(w.expectedRevision())));
        List<Op> then = new ArrayList<>();
        List<Op> orElse = new ArrayList<>();
        orElse.add(Op.get(key, GetOption.DEFAULT));
        if (e.type() == WatchEvent.Type.DELETED) {
            then.add(Op.delete(key, DeleteOption.DEFAULT));
        } else {
            ObjectNode stored = e.object().deepCopy();
            Json.meta(stored).remove("resourceVersion");
            own = new OwnPut(Json.bytes(stored), stored);
            then.add(Op.put(key, ByteSequence.from(own.value()), PutOption.DEFAULT));
        }
        String owner = e.namespace() + "/" + w.name();
        for (String c : w.guards().claims()) {
            ByteSequence g = bytes(keys.guard(c));
            cmps.add(new Cmp(g, Cmp.Op.EQUAL, CmpTarget.createRevision(0)));
            then.add(Op.put(g, bytes(owner), PutOption.DEFAULT));
            orElse.add(Op.get(g, GetOption.DEFAULT));
        }
        for (String r : w.guards().releases()) {
            then.add(Op.delete(bytes(keys.guard(r)), DeleteOption.DEFAULT));
        }
        Txn txn = client.getKVClient().txn().If(cmps.toArray(Cmp[]::new)).Then(then.toArray(Op[]::new))
                .Else(orElse.toArray(Op[]::new));
        if (own != null) {
            ownPuts.put(keyText, own);
        }
        OwnPut sent = own;
        // completed on the applier, never on jetcd's Vert.x event loop: the caller's callbacks take
        // the store monitor, and blocking that loop would stall every etcd response and watch event
        return txn.commit().handleAsync((r, err) -> {
            if (sent != null && (err != null || !r.isSucceeded())) {
                ownPuts.remove(keyText, sent);
            }
            if (err != null) {
                throw err instanceof CompletionException ce ? ce : new CompletionException(err);
            }
            return outcome(r, w);
        }, applier);
    }

    private long outcome(TxnResponse r, Write w) {
        if (r.isSucceeded()) {
            return r.getHeader().getRevision();
        }
        List<GetResponse> gets = r.getGetResponses();
        long actual = gets.isEmpty() || gets.get(0).getKvs().isEmpty() ? 0 : gets.get(0).getKvs().get(0).getModRevision();
        if (actual != w.expectedRevision()) {
            throw new StorageConflict(List.of());
        }
        List<String> taken = new ArrayList<>();
        List<String> claims = w.guards().claims();
        for (int i = 0; i < claims.size() && i + 1 < gets.size(); i++) {
            if (!gets.get(i + 1).getKvs().isEmpty()) {
                taken.add(claims.get(i));
            }
        }
        throw new StorageConflict(taken.isEmpty() ? claims : taken);
    }

    @Override
    public void follow(long afterRevision, Consumer<List<WatchEvent>> sink, Runnable lost) {
        WatchOption opt = WatchOption.builder().isPrefix(true).withRevision(afterRevision + 1).withPrevKV(true).build();
        Watch.Watcher previous = watcher;
        if (previous != null) {
            previous.close();
        }
        // jetcd resumes a watch itself after a lost connection; its onError is final (compaction,
        // cancellation by etcd), so the follower re-lists
        watcher = client.getWatchClient().watch(bytes(keys.root()), opt, Watch.listener(
                (WatchResponse resp) -> applier.execute(() -> {
                    try {
                        sink.accept(events(resp));
                    } catch (RuntimeException e) {
                        LOG.error("cannot apply etcd watch response", e);
                    }
                }),
                err -> {
                    if (closed) {
                        return;
                    }
                    LOG.warn("etcd watch on {} from revision {} failed ({}); re-listing", keys.root(), afterRevision + 1,
                            err.getMessage());
                    try {
                        applier.execute(lost);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        // closed meanwhile
                    }
                }));
    }

    private List<WatchEvent> events(WatchResponse resp) {
        List<WatchEvent> out = new ArrayList<>();
        for (io.etcd.jetcd.watch.WatchEvent we : resp.getEvents()) {
            KeyValue kv = we.getKeyValue();
            KeyValue prev = we.getPrevKV();
            boolean hasPrev = prev != null && prev.getModRevision() > 0;
            Optional<ObjectNode> previous = hasPrev
                    ? decode(prev.getKey(), prev, prev.getModRevision()).map(WatchEvent::object) : Optional.empty();
            if (we.getEventType() == EventType.DELETE) {
                if (previous.isEmpty()) {
                    continue; // not an object key, or deleted before our history
                }
                ObjectNode last = previous.get().deepCopy();
                Json.meta(last).put("resourceVersion", Long.toString(kv.getModRevision()));
                decode(kv.getKey(), prev, kv.getModRevision()).ifPresent(d -> out.add(new WatchEvent(kv.getModRevision(),
                        WatchEvent.Type.DELETED, d.storageKey(), d.namespace(), last, previous)));
            } else if (we.getEventType() == EventType.PUT) {
                WatchEvent.Type t = kv.getCreateRevision() == kv.getModRevision() ? WatchEvent.Type.ADDED : WatchEvent.Type.MODIFIED;
                decodePut(kv).ifPresent(d -> out.add(new WatchEvent(kv.getModRevision(), t,
                        d.storageKey(), d.namespace(), d.object(), t == WatchEvent.Type.ADDED ? Optional.empty() : previous)));
            }
        }
        return out;
    }

    /**
     * A put's value from the watch as an event skeleton: this server's own object when the bytes are
     * the ones it wrote (no second parse), else decoded; empty for other keys.
     */
    private Optional<WatchEvent> decodePut(KeyValue kv) {
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        OwnPut own = ownPuts.get(key);
        if (own != null && Arrays.equals(own.value(), kv.getValue().getBytes())) {
            ownPuts.remove(key, own);
            Optional<EtcdKeys.Parsed> p = keys.parse(key);
            if (p.isPresent()) {
                Json.meta(own.object()).put("resourceVersion", Long.toString(kv.getModRevision()));
                return Optional.of(new WatchEvent(kv.getModRevision(), WatchEvent.Type.ADDED, p.get().type().storageKey(),
                        p.get().namespace(), own.object(), Optional.empty()));
            }
        }
        return decode(kv.getKey(), kv, kv.getModRevision());
    }

    /** An object key's value as an event skeleton (revision, storage key, namespace, object); empty for other keys. */
    private Optional<WatchEvent> decode(ByteSequence key, KeyValue kv, long revision) {
        Optional<EtcdKeys.Parsed> p = keys.parse(key.toString(StandardCharsets.UTF_8));
        if (p.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode o;
        try {
            o = Json.parseObject(kv.getValue().getBytes(), false);
        } catch (RuntimeException e) {
            LOG.warn("skipping undecodable value at {}", key.toString(StandardCharsets.UTF_8), e);
            return Optional.empty();
        }
        Json.meta(o).put("resourceVersion", Long.toString(revision));
        return Optional.of(new WatchEvent(revision, WatchEvent.Type.ADDED, p.get().type().storageKey(), p.get().namespace(),
                o, Optional.empty()));
    }

    @Override
    public List<WatchEvent> history(long after, long upTo) {
        return List.of();
    }

    @Override
    public long compacted() {
        return 0;
    }

    @Override
    public void close() {
        closed = true;
        if (compactor != null) {
            compactor.close();
        }
        Watch.Watcher w = watcher;
        if (w != null) {
            w.close();
        }
        applier.shutdown();
        client.close();
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    static RuntimeException unwrap(Throwable t) {
        Throwable c = t instanceof CompletionException || t instanceof ExecutionException ? t.getCause() : t;
        return c instanceof RuntimeException re ? re : new IllegalStateException(c.getMessage(), c);
    }
}
