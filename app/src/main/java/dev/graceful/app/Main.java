package dev.graceful.app;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

import dev.graceful.Durations;
import dev.graceful.ShutdownConfigException;
import dev.graceful.helidon.OpenStreams;
import dev.graceful.launcher.GracefulServer;
import dev.graceful.launcher.ServerSetup;

import io.helidon.config.Config;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The demo service, built on the public API of {@code graceful-launcher} like any service: {@code GET /} and
 * {@code GET /work?ms=N}, and events that are acknowledged, stored in an embedded database and streamed live. The
 * launcher owns the process: configuration, signals, restart, the report and the exit code.
 *
 * <p>Usage: {@code java -jar graceful-app.jar [--config PATH] [--print-plan[=json]]}.
 */
public final class Main {

    private static final String DEFAULT_JDBC_URL = "jdbc:sqlite:data/events.db";

    private Main() {
    }

    /**
     * Runs the service; see {@link GracefulServer#run}.
     *
     * @param args {@code --config PATH}, {@code --print-plan} or {@code --print-plan=json}
     */
    public static void main(String[] args) {
        GracefulServer.builder()
                .setup(Main::setup)
                .build()
                .run(args);
    }

    /** The demo's own part: its settings, the events database, its routes and the participants that keep events. */
    static void setup(ServerSetup setup) {
        // Loading SQLite's native library takes a few hundred milliseconds; it creates no database, so it can run
        // while the server is being built, and the database opens faster once the port is ours.
        Thread.ofPlatform().daemon(true).name("sqlite-load").start(Main::loadSqlite);
        Config config = setup.config();
        String greeting = config.get("app.greeting").asString().orElse("Hello from graceful");
        long maxWork = positiveLong(config, "app.work-max-ms", 60_000);
        int maxBody = (int) Math.min(Integer.MAX_VALUE - 1, positiveLong(config, "app.events.max-body-bytes", 65_536));
        int capacity = (int) Math.min(Integer.MAX_VALUE, positiveLong(config, "app.events.buffer-capacity", 100_000));
        EventRoutes.Ack ack = choice(config, "app.events.ack", EventRoutes.Ack.class, EventRoutes.Ack.COMMITTED);
        Duration commitTimeout = positiveDuration(config, "app.events.commit-timeout", Duration.ofSeconds(5));
        Database.Durability durability = choice(config, "app.events.durability", Database.Durability.class,
                                                Database.Durability.FULL);
        long replayLimit = positiveLong(config, "app.events.replay-limit", 10_000);
        HikariDataSource dataSource = Database.dataSource(
                config.get("app.events.jdbc-url").asString().orElse(DEFAULT_JDBC_URL), durability);
        EventStore store = new EventStore(dataSource);
        EventFeed feed = new EventFeed(store, replayLimit, dataSource::isClosed);
        EventBuffer events = new EventBuffer(store, capacity, feed::committed);
        OpenStreams streams = setup.streams();

        setup.routing(routing -> {
                    new DemoRoutes(greeting, maxWork).register(routing);
                    new EventRoutes(events, store, maxBody, feed, streams, ack, commitTimeout).register(routing);
                })
                .webSocket("/ws/events", feed.webSocket())
                .participant(new EventParticipants.Flush(events))
                .participant(new EventParticipants.Pool(dataSource))
                // Only once the configuration is valid and the port is ours.
                .onStart(() -> open(dataSource, store, events));
    }

    private static void open(HikariDataSource dataSource, EventStore store, EventBuffer events) {
        try {
            Database.prepare(dataSource);
            store.createSchema();
        } catch (SQLException | RuntimeException e) {
            dataSource.close();
            throw new IllegalStateException("the events database " + dataSource.getJdbcUrl() + " is not usable: "
                                                    + e.getMessage(), e);
        }
        events.start();
    }

    private static <E extends Enum<E>> E choice(Config config, String key, Class<E> type, E defaultValue) {
        Optional<String> raw = config.get(key).asString().asOptional();
        if (raw.isEmpty()) {
            return defaultValue;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(raw.get().strip())) {
                return e;
            }
        }
        throw new ShutdownConfigException(key, raw.get(), "expected one of " + java.util.Arrays.stream(
                type.getEnumConstants()).map(e -> e.name().toLowerCase(java.util.Locale.ROOT)).toList());
    }

    private static Duration positiveDuration(Config config, String key, Duration defaultValue) {
        Optional<String> raw = config.get(key).asString().asOptional();
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            Duration d = Durations.parse(raw.get().strip());
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ShutdownConfigException(key, raw.get(), "expected a positive duration, " + Durations.ACCEPTED_FORMS);
    }

    private static void loadSqlite() {
        try {
            org.sqlite.SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            // the database's own open reports it
        }
    }

    private static long positiveLong(Config config, String key, long defaultValue) {
        Optional<String> raw = config.get(key).asString().asOptional();
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(raw.get().strip());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ShutdownConfigException(key, raw.get(), "expected a positive whole number");
    }
}
