package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable state in {@code <data-dir>/state.db}, in the role kine plays for k3s: an {@code objects}
 * table with the latest state of every key and a {@code log} table of changes keyed by revision
 * (like etcd's MVCC revisions). SQLite runs in WAL mode with {@code synchronous=FULL}.
 *
 * <p>Group commit (as etcd's backend batches puts between fsyncs): one committer thread takes every
 * write queued since its last commit and stores them in ONE transaction, so concurrent writers share
 * one fsync; each write's future completes, and its event reaches {@link #follow}'s sink, only after
 * that transaction is durable. Reads of the log use a second connection (WAL allows a reader beside
 * the writer). Revisions are assigned by {@link Store}; writes arrive here in revision order.
 */
final class SqliteStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStorage.class);
    /** Most writes stored in one transaction. */
    private static final int MAX_BATCH = 512;

    private record Pending(Write write, CompletableFuture<Long> done) {
    }

    private final Path file;
    private final long logRetain;
    private final Connection db;
    private final Connection reader;
    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement appendLog;
    private final PreparedStatement setMeta;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread committer;
    private volatile Consumer<List<WatchEvent>> sink = events -> { };
    private volatile long compacted;
    private volatile boolean closed;

    /**
     * Opens (or creates) {@code <dataDir>/state.db}.
     *
     * @param logRetain revisions kept in the change log behind the newest one (at least 1); older
     *                  watches get 410 Expired
     * @throws IllegalStateException when the database cannot be opened
     */
    SqliteStorage(Path dataDir, long logRetain) {
        requireNonNull(dataDir, "dataDir");
        if (logRetain < 1) {
            throw new IllegalArgumentException("logRetain: " + logRetain + " (expected: >= 1)");
        }
        this.logRetain = logRetain;
        this.file = dataDir.resolve("state.db");
        try {
            Files.createDirectories(dataDir);
            db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE IF NOT EXISTS objects (k TEXT PRIMARY KEY, resource TEXT NOT NULL, "
                        + "namespace TEXT NOT NULL, rv INTEGER NOT NULL, data TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS log (rv INTEGER PRIMARY KEY, type TEXT NOT NULL, "
                        + "resource TEXT NOT NULL, namespace TEXT NOT NULL, data TEXT NOT NULL, prev TEXT)");
                s.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
            }
            db.setAutoCommit(false);
            upsert = db.prepareStatement("INSERT OR REPLACE INTO objects (k, resource, namespace, rv, data) VALUES (?,?,?,?,?)");
            delete = db.prepareStatement("DELETE FROM objects WHERE k = ?");
            appendLog = db.prepareStatement("INSERT INTO log (rv, type, resource, namespace, data, prev) VALUES (?,?,?,?,?,?)");
            setMeta = db.prepareStatement("INSERT OR REPLACE INTO meta (k, v) VALUES (?,?)");
            reader = DriverManager.getConnection("jdbc:sqlite:" + file);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open " + file + ": " + e.getMessage(), e);
        }
        committer = new Thread(this::commitLoop, "sqlite-group-commit");
        committer.setDaemon(true);
    }

    @Override
    public Loaded load(Consumer<WatchEvent> sink) {
        try (Statement s = reader.createStatement();
                ResultSet rs = s.executeQuery("SELECT resource, namespace, rv, data FROM objects")) {
            while (rs.next()) {
                ObjectNode o = Json.parseObject(rs.getBytes(4), false);
                sink.accept(new WatchEvent(rs.getLong(3), WatchEvent.Type.ADDED, rs.getString(1), rs.getString(2), o,
                        Optional.empty()));
            }
            compacted = meta("compacted");
            return new Loaded(meta("revision"), compacted);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean assignsRevisions() {
        return false;
    }

    @Override
    public CompletableFuture<Long> write(Write write) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new IllegalStateException("storage closed"));
        } else {
            queue.add(new Pending(write, done));
        }
        return done;
    }

    @Override
    public void follow(long afterRevision, Consumer<List<WatchEvent>> sink, Runnable lost) {
        this.sink = requireNonNull(sink, "sink");
        committer.start();
    }

    @Override
    public List<WatchEvent> history(long after, long upTo) {
        List<WatchEvent> out = new ArrayList<>();
        synchronized (reader) {
            try (PreparedStatement p = reader.prepareStatement(
                    "SELECT rv, type, resource, namespace, data, prev FROM log WHERE rv > ? AND rv <= ? ORDER BY rv")) {
                p.setLong(1, after);
                p.setLong(2, upTo);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        String prev = rs.getString(6);
                        out.add(new WatchEvent(rs.getLong(1), WatchEvent.Type.valueOf(rs.getString(2)), rs.getString(3),
                                rs.getString(4), Json.parseObject(rs.getBytes(5), false), prev == null ? Optional.empty()
                                        : Optional.of(Json.parseObject(prev.getBytes(StandardCharsets.UTF_8), false))));
                    }
                }
            } catch (SQLException e) {
                throw ApiException.internal("reading change log: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public long compacted() {
        return compacted;
    }

    /** Number of rows in the change log. */
    long logSize() throws SQLException {
        synchronized (reader) {
            try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM log")) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private void commitLoop() {
        List<Pending> batch = new ArrayList<>();
        while (!closed) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            List<WatchEvent> events = new ArrayList<>(batch.size());
            try {
                for (Pending p : batch) {
                    stage(p.write());
                    events.add(p.write().event());
                }
                long last = events.get(events.size() - 1).revision();
                setMeta.setString(1, "revision");
                setMeta.setLong(2, last);
                setMeta.executeUpdate();
                db.commit();
                long first = events.get(0).revision();
                long step = Math.min(1000, logRetain);
                if (last > logRetain && last / step != (first - 1) / step) {
                    compact(last - logRetain);
                }
                sink.accept(events);
                for (Pending p : batch) {
                    p.done().complete(p.write().event().revision());
                }
            } catch (SQLException | RuntimeException e) {
                LOG.error("group commit of {} writes failed", batch.size(), e);
                try {
                    db.rollback();
                } catch (SQLException ignored) {
                    // the connection is unusable; every later write fails too
                }
                for (Pending p : batch) {
                    p.done().completeExceptionally(e);
                }
            }
            batch.clear();
        }
        for (Pending p : queue) {
            p.done().completeExceptionally(new IllegalStateException("storage closed"));
        }
    }

    private void stage(Write w) throws SQLException {
        WatchEvent event = w.event();
        String key = event.storageKey() + "/" + event.namespace() + "/" + w.name();
        // the stored object's encoding is kept for the response and the watchers (EncodedObjects)
        byte[] json = Json.bytes(event.object());
        EncodedObjects.remember(event.object(), json);
        String data = new String(json, StandardCharsets.UTF_8);
        if (event.type() == WatchEvent.Type.DELETED) {
            delete.setString(1, key);
            delete.executeUpdate();
        } else {
            upsert.setString(1, key);
            upsert.setString(2, event.storageKey());
            upsert.setString(3, event.namespace());
            upsert.setLong(4, event.revision());
            upsert.setString(5, data);
            upsert.executeUpdate();
        }
        appendLog.setLong(1, event.revision());
        appendLog.setString(2, event.type().name());
        appendLog.setString(3, event.storageKey());
        appendLog.setString(4, event.namespace());
        appendLog.setString(5, data);
        appendLog.setString(6, event.previous().map(p -> new String(Json.bytes(p), StandardCharsets.UTF_8)).orElse(null));
        appendLog.executeUpdate();
    }

    /** Deletes log rows at or below {@code revision}; best effort (the log simply stays longer). */
    private void compact(long revision) {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM log WHERE rv <= ?")) {
            p.setLong(1, revision);
            p.executeUpdate();
            setMeta.setString(1, "compacted");
            setMeta.setLong(2, revision);
            setMeta.executeUpdate();
            db.commit();
            compacted = revision;
        } catch (SQLException e) {
            LOG.warn("change log compaction to {} failed", revision, e);
            try {
                db.rollback();
            } catch (SQLException ignored) {
                // nothing to undo
            }
        }
    }

    private long meta(String key) throws SQLException {
        try (PreparedStatement p = reader.prepareStatement("SELECT v FROM meta WHERE k = ?")) {
            p.setString(1, key);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        committer.interrupt();
        if (committer.isAlive()) {
            try {
                committer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            reader.close();
            db.close();
        } catch (SQLException e) {
            // closing an already-closed connection: nothing left to flush
        }
    }
}
