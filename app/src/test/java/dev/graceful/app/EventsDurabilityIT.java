package dev.graceful.app;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.graceful.app.plugins.HoldingParticipant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * End to end on the real jar and the real SQLite file: every event answered 202 is in the database after the
 * process is gone; every other one got an error or a refused connect, never silence.
 */
class EventsDurabilityIT {

    private static final int CLIENTS = 8;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEventIsStoredAfterSigtermUnderLoad() throws Exception {
        Load load;
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
            load = new Load(service.port());
            load.run(() -> {
                service.signal("TERM");
                assertThat(service.awaitExit(Duration.ofSeconds(30)), is(0));
            });
            assertThat(service.report().getBoolean("clean"), is(true));
        }
        load.assertEveryAcknowledgedEventIsIn(dir.resolve("data/events.db"));
    }

    @Test
    void acknowledgedEventsSurviveSigkillAfterTheFlush() throws Exception {
        PluginJar.build(dir.resolve("plugins/holding.jar"), HoldingParticipant.class);
        Load load;
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
            load = new Load(service.port());
            load.run(() -> {
                service.signal("TERM");
                service.awaitLine(HoldingParticipant.HOLDING, Duration.ofSeconds(20));
                service.signal("KILL");
                assertThat(service.awaitExit(Duration.ofSeconds(10)), is(137));
            });
        }
        Path db = dir.resolve("data/events.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1), is("ok"));
        }
        load.assertEveryAcknowledgedEventIsIn(db);
    }

    /** Eight clients posting unique events back to back on keep-alive connections. */
    private static final class Load {
        private final int port;
        private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        private final AtomicLong rejected = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        private final List<String> silent = new java.util.concurrent.CopyOnWriteArrayList<>();

        Load(int port) {
            this.port = port;
        }

        interface Stop {
            void run() throws Exception;
        }

        void run(Stop stop) throws Exception {
            CountDownLatch warm = new CountDownLatch(2_000);
            long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            List<Future<?>> clients = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.add(pool.submit(() -> post(client, warm, end)));
                }
                assertThat(warm.await(30, TimeUnit.SECONDS), is(true));
                stop.run();
                for (Future<?> f : clients) {
                    f.get(30, TimeUnit.SECONDS);
                }
            }
            System.out.printf("events: %d acknowledged, %d rejected with an error, %d connects refused, "
                                      + "%d unanswered%n", acknowledged.size(), rejected.get(), refused.get(),
                              silent.size());
            assertThat(acknowledged.size(), greaterThan(2_000));
            assertThat("requests that got no answer", silent, is(empty()));
        }

        private Void post(int client, CountDownLatch warm, long end) {
            int n = 0;
            while (System.nanoTime() < end) {
                RawHttp http;
                try {
                    http = RawHttp.connect(port);
                } catch (ConnectException e) {
                    refused.incrementAndGet();
                    return null;
                } catch (IOException e) {
                    silent.add("connect: " + e);
                    return null;
                }
                try (http) {
                    while (System.nanoTime() < end) {
                        String id = "c" + client + "-" + (n++);
                        RawHttp.Response r;
                        try {
                            r = http.post("/events", "{\"id\":\"" + id + "\",\"payload\":{\"n\":" + n + "}}");
                        } catch (IOException e) {
                            silent.add(id + ": " + e);
                            return null;
                        }
                        if (r.status() == 202) {
                            acknowledged.add(id);
                            warm.countDown();
                        } else {
                            rejected.incrementAndGet();
                        }
                        if (r.closes()) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    silent.add("close: " + e);
                    return null;
                }
            }
            return null;
        }

        void assertEveryAcknowledgedEventIsIn(Path db) throws Exception {
            Set<String> stored = new HashSet<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id FROM events")) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
            }
            List<String> missing = acknowledged.stream().filter(id -> !stored.contains(id)).sorted().toList();
            System.out.printf("database: %d rows, %d acknowledged events missing%n", stored.size(), missing.size());
            assertThat("acknowledged events missing from the database", missing, is(empty()));
        }
    }
}
