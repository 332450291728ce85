package dev.graceful.app;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.graceful.process.Poll;
import dev.graceful.wire.RawHttpConnection;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * Clients posting unique events back to back on keep-alive connections; records which were acknowledged (202),
 * which were rejected with an error, and any request that got no answer at all.
 */
final class EventLoad {

    private final int port;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final List<String> unanswered = new CopyOnWriteArrayList<>();
    private final long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    private volatile boolean stopped;

    private final String prefix;

    private EventLoad(int port, String prefix) {
        this.port = port;
        this.prefix = prefix;
    }

    static EventLoad start(int port, int clients) {
        return start(port, clients, "");
    }

    /** Starts clients whose event ids begin with {@code prefix}, so that loads on one database never share an id. */
    static EventLoad start(int port, int clients, String prefix) {
        EventLoad load = new EventLoad(port, prefix);
        for (int c = 0; c < clients; c++) {
            int client = c;
            load.pool.submit(() -> load.post(client));
        }
        return load;
    }

    /** Waits until {@code more} further events have been acknowledged. */
    void awaitAcknowledged(int more) throws Exception {
        long target = acknowledged.size() + more;
        Poll.await(Duration.ofNanos(Math.max(0, endNanos - System.nanoTime())), () -> acknowledged.size() >= target,
                   () -> "only " + acknowledged.size() + " events acknowledged; unanswered " + unanswered);
    }

    /** Waits for the clients to end by themselves (refused connects once the service is gone). */
    void awaitClientsEnded() throws InterruptedException {
        pool.shutdown();
        assertThat("clients ended", pool.awaitTermination(30, TimeUnit.SECONDS), is(true));
        report();
    }

    /** Stops the clients and waits for them. */
    void stop() throws InterruptedException {
        stopped = true;
        awaitClientsEnded();
    }

    void assertNoRequestWentUnanswered() {
        assertThat("requests that got no answer", unanswered, is(empty()));
    }

    int acknowledgedCount() {
        return acknowledged.size();
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

    private void report() {
        System.out.printf("events: %d acknowledged, %d rejected with an error, %d connects refused, %d unanswered%n",
                          acknowledged.size(), rejected.get(), refused.get(), unanswered.size());
    }

    private boolean running() {
        return !stopped && System.nanoTime() < endNanos;
    }

    private Void post(int client) {
        int n = 0;
        while (running()) {
            RawHttpConnection http;
            try {
                http = RawHttpConnection.open(port);
            } catch (ConnectException e) {
                refused.incrementAndGet();
                return null;
            } catch (IOException e) {
                unanswered.add("connect: " + e);
                return null;
            }
            try (http) {
                int onConnection = 0;
                while (running()) {
                    onConnection++;
                    String id = prefix + "c" + client + "-" + (n++);
                    RawHttpConnection.Response r;
                    try {
                        r = http.post("/events", "{\"id\":\"" + id + "\",\"payload\":{\"n\":" + n + "}}");
                    } catch (IOException e) {
                        unanswered.add(id + " (request " + onConnection + " on its connection): " + e);
                        return null;
                    }
                    if (r.status() == 202) {
                        acknowledged.add(id);
                    } else {
                        rejected.incrementAndGet();
                    }
                    if (r.closesConnection()) {
                        break;
                    }
                }
            } catch (IOException e) {
                unanswered.add("close: " + e);
                return null;
            }
        }
        return null;
    }
}
