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
 * The events table: one row per event id. Inserts are idempotent (a duplicate id is stored once) and written in
 * portable SQL, so a JDBC URL in YAML can point the service at another database.
 */
final class EventStore {

    private final DataSource dataSource;

    EventStore(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    void createSchema() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS events ("
                                    + "id VARCHAR(200) PRIMARY KEY, "
                                    + "payload VARCHAR(1000000) NOT NULL, "
                                    + "received_at BIGINT NOT NULL)");
        }
    }

    /**
     * Inserts a batch in one transaction; ids already stored are skipped.
     *
     * @return how many rows were new
     */
    int insert(List<Event> batch) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO events (id, payload, received_at) SELECT ?, ?, ? "
                            + "WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = ?)")) {
                for (Event e : batch) {
                    ps.setString(1, e.id());
                    ps.setString(2, e.payload());
                    ps.setLong(3, e.receivedAtMillis());
                    ps.setString(4, e.id());
                    ps.addBatch();
                }
                int inserted = 0;
                for (int n : ps.executeBatch()) {
                    inserted += Math.max(n, 0);
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

    long count() throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM events")) {
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

    /** One acknowledged event: its client-supplied id and its payload as JSON text. */
    record Event(String id, String payload, long receivedAtMillis) {
        Event {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(payload, "payload");
        }
    }
}
