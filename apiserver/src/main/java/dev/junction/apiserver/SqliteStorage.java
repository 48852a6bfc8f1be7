package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.function.Consumer;

/**
 * Durable state in {@code <data-dir>/state.db}, in the role kine plays for k3s: an {@code objects}
 * table with the latest state of every key and a {@code log} table of changes keyed by revision
 * (like etcd's MVCC revisions). SQLite runs in WAL mode with {@code synchronous=FULL}, so a write
 * returns only once its transaction is durable. Not thread-safe: {@link Store} serialises access.
 */
final class SqliteStorage implements AutoCloseable {
    /** One row of the objects table. */
    record Row(String storageKey, String namespace, ObjectNode object) {
    }

    private final Connection db;
    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement appendLog;
    private final PreparedStatement setMeta;

    SqliteStorage(Path dataDir) {
        requireNonNull(dataDir, "dataDir");
        try {
            Files.createDirectories(dataDir);
            db = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("state.db"));
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
        } catch (Exception e) {
            throw new IllegalStateException("cannot open " + dataDir.resolve("state.db") + ": " + e.getMessage(), e);
        }
    }

    /** Commits one change (object row + log row + revision) in a single durable transaction. */
    void commit(String key, WatchEvent event) throws SQLException {
        String data = Json.string(event.object());
        try {
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
            appendLog.setString(6, event.previous().map(Json::string).orElse(null));
            appendLog.executeUpdate();
            setMeta.setString(1, "revision");
            setMeta.setLong(2, event.revision());
            setMeta.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        }
    }

    /** Deletes log rows at or below {@code revision} and records it as the compacted revision. */
    void compact(long revision) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM log WHERE rv <= ?")) {
            p.setLong(1, revision);
            p.executeUpdate();
            setMeta.setString(1, "compacted");
            setMeta.setLong(2, revision);
            setMeta.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        }
    }

    /** A meta counter ({@code revision}, {@code compacted}); 0 when unset. */
    long meta(String key) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT v FROM meta WHERE k = ?")) {
            p.setString(1, key);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Streams every stored object. */
    void loadObjects(Consumer<Row> sink) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT resource, namespace, data FROM objects")) {
            while (rs.next()) {
                sink.accept(new Row(rs.getString(1), rs.getString(2), Json.parseObject(rs.getBytes(3), false)));
            }
        }
    }

    /** Log events with revision in {@code (after, upTo]}, ascending. */
    List<WatchEvent> eventsBetween(long after, long upTo) throws SQLException {
        List<WatchEvent> out = new ArrayList<>();
        try (PreparedStatement p = db.prepareStatement(
                "SELECT rv, type, resource, namespace, data, prev FROM log WHERE rv > ? AND rv <= ? ORDER BY rv")) {
            p.setLong(1, after);
            p.setLong(2, upTo);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    String prev = rs.getString(6);
                    out.add(new WatchEvent(rs.getLong(1), WatchEvent.Type.valueOf(rs.getString(2)), rs.getString(3),
                            rs.getString(4), Json.parseObject(rs.getBytes(5), false),
                            prev == null ? Optional.empty() : Optional.of(Json.parseObject(prev.getBytes(java.nio.charset.StandardCharsets.UTF_8), false))));
                }
            }
        }
        return out;
    }

    /** Number of rows in the log. */
    long logSize() throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM log")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing a read-only or already-closed connection: nothing left to flush
        }
    }
}
