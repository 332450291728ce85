package dev.graceful.app;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import dev.graceful.app.plugins.HoldingParticipant;
import dev.graceful.process.Poll;
import dev.graceful.process.ServiceProcess;
import dev.graceful.wire.RawHttpConnection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
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
        EventLoad load;
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
            load = EventLoad.start(service.port(), CLIENTS);
            load.awaitAcknowledged(2_000);
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(0));
            load.awaitClientsEnded();
            assertThat(service.report().getBoolean("clean"), is(true));
        }
        load.assertNoRequestWentUnanswered();
        load.assertEveryAcknowledgedEventIsIn(dir.resolve("data/events.db"));
    }

    @Test
    void acknowledgedEventsSurviveSigkillAfterTheFlush() throws Exception {
        PluginJar.build(dir.resolve("plugins/holding.jar"), HoldingParticipant.class);
        EventLoad load;
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
            load = EventLoad.start(service.port(), CLIENTS);
            load.awaitAcknowledged(2_000);
            service.signal("TERM");
            service.awaitLine(HoldingParticipant.HOLDING, Duration.ofSeconds(20));
            service.signal("KILL");
            assertThat(service.awaitExit(Duration.ofSeconds(10)), is(137));
            load.awaitClientsEnded();
        }
        load.assertNoRequestWentUnanswered();
        Path db = dir.resolve("data/events.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            assertThat(rs.getString(1), is("ok"));
        }
        load.assertEveryAcknowledgedEventIsIn(db);
    }

    /** Issue 16: 202 means committed, so a SIGKILL at any moment of a concurrent load loses no acknowledged event. */
    @Test
    void everyAcknowledgedEventSurvivesSigkillUnderLoadFiveTimesInARow() throws Exception {
        Path db = dir.resolve("data/events.db");
        for (int run = 1; run <= 5; run++) {
            EventLoad load;
            try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
                load = EventLoad.start(service.port(), CLIENTS, "run" + run + "-");
                load.awaitAcknowledged(1_000);
                service.signal("KILL");
                assertThat(service.awaitExit(Duration.ofSeconds(10)), is(137));
                load.awaitClientsEnded();
            }
            // The next start opens the same database (SQLite recovers its log) and serves.
            try (ServiceProcess again = ServiceProcess.start(dir, ServiceProcess.yaml())) {
                again.port();
                again.signal("TERM");
                assertThat(again.awaitExit(Duration.ofSeconds(30)), is(0));
            }
            System.out.println("SIGKILL run " + run + ": " + load.acknowledgedCount() + " acknowledged");
            load.assertEveryAcknowledgedEventIsIn(db);
        }
    }

    /** The wait for a commit is bounded: 503 with Retry-After, and an event still queued is taken back. */
    @Test
    void aCommitThatDoesNotComeInTimeIsA503AndAQueuedEventIsTakenBack() throws Exception {
        String yaml = ServiceProcess.yaml() + "app:\n  events:\n    commit-timeout: 500ms\n";
        try (ServiceProcess service = ServiceProcess.start(dir, yaml);
                RawHttpConnection first = RawHttpConnection.open(service.port());
                RawHttpConnection second = RawHttpConnection.open(service.port())) {
            assertThat(first.post("/events", "{\"id\":\"warm\",\"payload\":1}").status(), is(202));
            Path db = dir.resolve("data/events.db");
            RawHttpConnection.Response stuck;
            RawHttpConnection.Response queued;
            try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + db);
                    Statement s = lock.createStatement()) {
                s.execute("BEGIN EXCLUSIVE");
                // the writer takes this one into a batch, then waits for the lock
                stuck = first.post("/events", "{\"id\":\"stuck\",\"payload\":2}");
                // this one waits in the queue behind that batch
                queued = second.post("/events", "{\"id\":\"queued\",\"payload\":3}");
                s.execute("ROLLBACK");
            }
            assertThat(stuck.body(), stuck.status(), is(503));
            assertThat(stuck.headers().get("Retry-After"), is("1"));
            assertThat(stuck.body(), containsString("it may be stored: retrying with the same id is safe"));
            assertThat(queued.body(), queued.status(), is(503));
            assertThat(queued.body(), containsString("not stored, retry later"));
            // once the lock is gone, the batch that held "stuck" commits; "queued" was taken back
            Poll.until(Duration.ofSeconds(20), () -> first.get("/events/stuck").status() == 200);
            assertThat(first.get("/events/stuck").status(), is(200));
            assertThat(first.get("/events/queued").status(), is(404));
        }
    }
}
