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

    /** A pool for the URL; it connects lazily, on first use. */
    static HikariDataSource dataSource(String jdbcUrl) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(jdbcUrl);
        ds.setPoolName("events");
        if (jdbcUrl.startsWith(SQLITE)) {
            ds.setMaximumPoolSize(4);
            // WAL lets a restarting copy of the service read and write while the old one flushes;
            // synchronous=FULL makes a committed batch survive a crash of the process or the machine.
            ds.addDataSourceProperty("journal_mode", "WAL");
            ds.addDataSourceProperty("synchronous", "FULL");
            ds.addDataSourceProperty("busy_timeout", "10000");
        }
        return ds;
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
