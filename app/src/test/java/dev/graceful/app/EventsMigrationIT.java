package dev.graceful.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.graceful.process.ServiceProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * End to end, issue 16: a database made by the version before {@code seq} is numbered at start, in the order its
 * events arrived; a row that a process of that version inserts during a restart's hand-over is numbered too; a
 * {@code Last-Event-ID} this feed did not send gets a reset and the live feed, not an error an EventSource would
 * never reconnect after.
 */
class EventsMigrationIT {

    @TempDir
    Path dir;

    @Test
    void eventsStoredBeforeSeqExistedAreNumberedAndReplayedInTheOrderTheyArrived() throws Exception {
        Path db = dir.resolve("data/events.db");
        Files.createDirectories(db.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE events (id VARCHAR(200) PRIMARY KEY, payload VARCHAR(1000000) NOT NULL, "
                                    + "received_at BIGINT NOT NULL)");
            s.executeUpdate("INSERT INTO events VALUES ('second', '2', 2000), ('first', '1', 1000), ('third', '3', 3000)");
        }
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
            int port = service.port();
            try (SseClient client = SseClient.open(port, "/events/stream", "Last-Event-ID: 0\r\n")) {
                assertThat(client.status(), is(200));
                assertThat(client.next(), contains(": stream open"));
                assertThat(ids(client, 3), contains("1:first", "2:second", "3:third"));
                // what an older process would insert during the hand-over: no seq
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                        Statement s = c.createStatement()) {
                    s.execute("PRAGMA busy_timeout=10000");
                    s.executeUpdate("INSERT INTO events (id, payload, received_at) VALUES ('old-writer', '4', 4000)");
                }
                assertThat(ids(client, 1), contains("4:old-writer"));
            }
            try (SseClient client = SseClient.open(port, "/events/stream", "Last-Event-ID: order-17\r\n")) {
                assertThat(client.status(), is(200));
                assertThat(client.next(), contains(": stream open"));
                List<String> reset = client.next();
                assertThat(reset, hasItem("event: " + EventFeed.RESET_EVENT));
                assertThat(reset, hasItem("id: 4"));
                assertThat(reset.stream().filter(l -> l.startsWith("data: ")).findFirst().orElseThrow(),
                           startsWith("data: {\"latest\":4,\"reason\":\"Last-Event-ID 'order-17' is not"));
            }
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(0));
        }
    }

    /** Reads events until {@code n} have come; returns each as {@code seq:id}. */
    private static List<String> ids(SseClient client, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        while (ids.size() < n) {
            List<String> block = client.next();
            String seq = null;
            String id = null;
            for (String line : block) {
                if (line.startsWith("id: ")) {
                    seq = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    id = line.replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
                }
            }
            if (seq != null && id != null) {
                ids.add(seq + ":" + id);
            }
        }
        return ids;
    }
}
