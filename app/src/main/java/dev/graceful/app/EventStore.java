package dev.graceful.app;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import javax.sql.DataSource;

/**
 * The events table: one row per event id, each with a sequence number {@code seq} that orders the events as they
 * were committed. Inserts are idempotent (a duplicate id is stored once) and written in portable SQL, so a JDBC URL
 * in YAML can point the service at another database.
 *
 * <p>{@code seq} is the largest one stored plus one, computed inside the inserting transaction. SQLite lets one
 * writer at a time commit, also across processes (the old and the new process of a restart share the file), so the
 * numbers rise in commit order and a reader that has seen {@code seq} N never sees a smaller one appear later: what
 * {@link #after} relies on. With another database that lets writers run concurrently, the unique index still refuses
 * a duplicate number (the batch is retried), but that order is not guaranteed.
 */
final class EventStore {

    private static final int MAX_BATCH_ROWS = 10_000;

    private final DataSource dataSource;

    EventStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Creates the table and its sequence index; numbers the rows of a table made before {@code seq} existed. */
    void createSchema() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS events ("
                                    + "id VARCHAR(200) PRIMARY KEY, "
                                    + "payload VARCHAR(1000000) NOT NULL, "
                                    + "received_at BIGINT NOT NULL, "
                                    + "seq BIGINT)");
            if (!hasColumn(c, "seq")) {
                s.executeUpdate("ALTER TABLE events ADD COLUMN seq BIGINT");
            }
            // the index first: MAX(seq) is then a look-up, not a scan (a unique index allows many NULLs)
            s.executeUpdate("CREATE UNIQUE INDEX IF NOT EXISTS events_seq ON events (seq)");
            if ("SQLite".equalsIgnoreCase(c.getMetaData().getDatabaseProductName())) {
                // A process of the version before seq, still flushing while a restart hands over, inserts rows
                // without one: number them in their own transaction, as this version does.
                s.executeUpdate("CREATE TRIGGER IF NOT EXISTS events_number AFTER INSERT ON events "
                                        + "WHEN NEW.seq IS NULL BEGIN "
                                        + "UPDATE events SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM events) "
                                        + "WHERE rowid = NEW.rowid; END");
            }
            numberUnnumbered(c);
        }
    }

    private static boolean hasColumn(Connection c, String column) throws SQLException {
        try (ResultSet rs = c.getMetaData().getColumns(null, null, "events", null)) {
            while (rs.next()) {
                if (column.equalsIgnoreCase(rs.getString("COLUMN_NAME"))) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Rows stored before the column existed get numbers after every numbered one, in the order they arrived: in one
     * transaction, the largest number read once inside it. Another process writing at the same moment (the old one
     * of a restart) can make the transaction's snapshot stale; it is then tried again.
     */
    private static void numberUnnumbered(Connection c) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                numberOnce(c);
                return;
            } catch (SQLException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static void numberOnce(Connection c) throws SQLException {
        List<String> ids = new java.util.ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id FROM events WHERE seq IS NULL ORDER BY received_at, id")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement();
                PreparedStatement ps = c.prepareStatement("UPDATE events SET seq = ? WHERE id = ? AND seq IS NULL")) {
            long next;
            try (ResultSet rs = s.executeQuery("SELECT COALESCE(MAX(seq), 0) FROM events")) {
                rs.next();
                next = rs.getLong(1);
            }
            for (String id : ids) {
                ps.setLong(1, ++next);
                ps.setString(2, id);
                ps.addBatch();
            }
            ps.executeBatch();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * Inserts a batch in one transaction, numbering each new row; ids already stored are skipped.
     *
     * @return how many rows were new
     */
    int insert(List<Event> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO events (id, payload, received_at, seq) "
                            + "SELECT ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events) "
                            + "WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = ?)")) {
                int inserted = 0;
                for (Event e : batch) {
                    ps.setString(1, e.id());
                    ps.setString(2, e.payload());
                    ps.setLong(3, e.receivedAtMillis());
                    ps.setString(4, e.id());
                    // one statement per row: each row's number must see the row before it
                    inserted += Math.max(ps.executeUpdate(), 0);
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** The largest sequence number stored, 0 when there is none. */
    long latestSeq() throws SQLException {
        return number("SELECT COALESCE(MAX(seq), 0) FROM events");
    }

    /**
     * The stored events numbered after {@code seq}, in order.
     *
     * @param seq   the last number already seen
     * @param limit the most to return
     */
    List<Stored> after(long seq, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT seq, id, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?")) {
            ps.setLong(1, seq);
            ps.setInt(2, Math.min(limit, MAX_BATCH_ROWS));
            List<Stored> stored = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.add(new Stored(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
            }
            return stored;
        }
    }

    long count() throws SQLException {
        return number("SELECT COUNT(*) FROM events");
    }

    /** The one number a query answers. */
    private long number(String query) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    Optional<String> payload(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT payload FROM events WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** A stored event: its sequence number, id and payload as JSON text. */
    record Stored(long seq, String id, String payload) {
        /** The event as the feeds send it: {@code {"seq":N,"id":"...","payload":...}}. */
        String json() {
            return "{\"seq\":" + seq + ",\"id\":" + jakarta.json.Json.createValue(id) + ",\"payload\":" + payload + "}";
        }
    }

    /** One acknowledged event: its client-supplied id and its payload as JSON text. */
    record Event(String id, String payload, long receivedAtMillis) {
        Event {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(payload, "payload");
        }
    }
}
