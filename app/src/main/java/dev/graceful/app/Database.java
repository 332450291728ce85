package dev.graceful.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The events database: an embedded SQLite file under {@code data/} by default, or any JDBC URL from YAML, pooled
 * by HikariCP.
 */
final class Database {

    private static final String SQLITE = "jdbc:sqlite:";

    private Database() {
    }

    /**
     * What a committed event survives ({@code app.events.durability}), for SQLite, whose journal is a write-ahead
     * log (WAL).
     */
    enum Durability {
        /** {@code synchronous=FULL}: every commit is on disk (fsync) before it returns; survives power loss. */
        FULL,
        /**
         * {@code synchronous=NORMAL}: a commit is in the log file but not yet synced; survives a kill of the
         * process (SIGKILL, the OOM killer), not a power loss or a kernel crash.
         */
        NORMAL
    }

    /** A pool for the URL; it connects lazily, on first use. */
    static HikariDataSource dataSource(String jdbcUrl, Durability durability) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(jdbcUrl);
        ds.setPoolName("events");
        if (jdbcUrl.startsWith(SQLITE)) {
            ds.setMaximumPoolSize(4);
            // WAL lets a restarting copy of the service read and write while the old one flushes
            ds.addDataSourceProperty("journal_mode", "WAL");
            ds.addDataSourceProperty("synchronous", durability.name());
            ds.addDataSourceProperty("busy_timeout", "10000");
        }
        return ds;
    }

    /**
     * Does ahead, on the calling thread, what the first open and the close of a pool cost whatever the database, so
     * that the real pool finds it done: its open in {@code onStart} is on the start's critical path, its close in
     * {@code database-pool} on the stop's. It opens and closes a pool of one in-memory database, touching no file.
     * That builds sqlite-jdbc's settings (their date parser: 20 ms of CPU), the {@code Connection} proxy class that
     * HikariCP defines when it closes its first connection (13 ms), and links HikariCP's start and shutdown (its
     * lambdas and executors; half of a 9 ms close was that linking). All of it is kept for the process. HikariCP's
     * log lines here are INFO, below the {@code com.zaxxer.hikari} level the demo logs at; a failure only means the
     * real pool does the work itself, and reports what fails.
     */
    static void warm() {
        try (HikariDataSource rehearsal = new HikariDataSource()) {
            rehearsal.setJdbcUrl(SQLITE + ":memory:");
            rehearsal.setPoolName("events-rehearsal");
            rehearsal.setMaximumPoolSize(1);
            try (Connection c = rehearsal.getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT 1");
            }
        } catch (SQLException | RuntimeException | LinkageError e) {
            // only a rehearsal: the real pool reports its own failures
        }
    }

    /** Creates the directory of an SQLite file database. */
    static void prepare(HikariDataSource ds) throws SQLException {
        String url = ds.getJdbcUrl();
        if (url.startsWith(SQLITE) && !url.contains(":memory:")) {
            String file = url.substring(SQLITE.length());
            int query = file.indexOf('?');
            Path path = Path.of(query >= 0 ? file.substring(0, query) : file).toAbsolutePath();
            try {
                Files.createDirectories(path.getParent());
            } catch (IOException e) {
                throw new SQLException("cannot create the directory " + path.getParent() + ": " + e.getMessage(), e);
            }
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
    }
}
