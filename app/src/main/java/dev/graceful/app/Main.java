package dev.graceful.app;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

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
        // Loading SQLite's native library takes a few hundred milliseconds, and the pool's first open and close link
        // code of their own (Database.warm); neither touches the database, so both run while the server is being
        // built, and the database opens faster once the port is ours.
        Thread.ofPlatform().daemon(true).name("sqlite-load").start(() -> {
            SqliteLibrary.load();
            Database.warm();
        });
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
        List<String> names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        return setting(config, key, defaultValue, raw -> Arrays.stream(type.getEnumConstants())
                .filter(e -> e.name().equalsIgnoreCase(raw)).findFirst(), "expected one of " + names);
    }

    private static Duration positiveDuration(Config config, String key, Duration defaultValue) {
        return config.get(key).asString().asOptional().map(raw -> Durations.positive(key, raw)).orElse(defaultValue);
    }

    private static long positiveLong(Config config, String key, long defaultValue) {
        return setting(config, key, defaultValue, raw -> Optional.of(Long.parseLong(raw)).filter(v -> v > 0),
                       "expected a positive whole number");
    }

    /**
     * A setting of the demo: its default when the key is not set, else the parsed value; a value the parser refuses
     * (empty, or an {@link IllegalArgumentException}) is invalid configuration naming the key.
     */
    private static <T> T setting(Config config, String key, T defaultValue, Function<String, Optional<T>> parse,
                                 String expected) {
        Optional<String> raw = config.get(key).asString().asOptional();
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Optional<T> value;
        try {
            value = parse.apply(raw.get().strip());
        } catch (IllegalArgumentException e) {
            // NumberFormatException included
            value = Optional.empty();
        }
        return value.orElseThrow(() -> new ShutdownConfigException(key, raw.get(), expected));
    }
}
