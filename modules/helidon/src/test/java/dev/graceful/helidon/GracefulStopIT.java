package dev.graceful.helidon;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import dev.graceful.ParticipantOutcome;
import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownConfigException;
import dev.graceful.ShutdownCoordinator;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;
import dev.graceful.wire.RawHttpConnection;

import io.helidon.webserver.WebServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.graceful.helidon.ServerFixture.awaitLatch;
import static dev.graceful.helidon.ServerFixture.awaitTrue;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The built-in participants against a real server on 127.0.0.1, assembled as {@code app}'s {@code Main} does it
 * ({@link ServerShutdown#configure}, the in-flight filter first in routing, {@link ServerShutdown#participants}),
 * run by a real {@link ShutdownCoordinator}, and seen from plain client sockets. Each test builds and starts its own
 * server and stops it afterwards.
 *
 * <p>Routes: {@code /} answers at once; {@code /held} waits until the test releases it, then sends a large body;
 * {@code /sleeping} sleeps for a minute, far past any deadline here.
 */
class GracefulStopIT {

    private static final Duration WAIT = ServerFixture.WAIT;
    private static final ShutdownConfig TEN_SECONDS = ShutdownConfig.defaults().withDeadline(Duration.ofSeconds(10));
    /** Large enough to take many socket writes, so a cut-off response cannot pass for a complete one. */
    private static final String LARGE_BODY = "0123456789abcdef".repeat(16 * 1024);

    private final CountDownLatch heldEntered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch sleepingEntered = new CountDownLatch(1);
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private ServerFixture fixture;
    private ServerShutdown shutdown;
    private WebServer server;

    @AfterEach
    void stopServer() throws Exception {
        release.countDown();
        try {
            if (fixture != null) {
                fixture.close();
            }
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void requestInFlightAtSigtermCompletesWithItsWholeBodyAndTheReportIsClean() throws Exception {
        start(TEN_SECONDS);
        CountDownLatch drainCounted = new CountDownLatch(1);
        ShutdownCoordinator coordinator = coordinator(
                participant -> participant.name().equals(DrainParticipant.NAME)
                        ? new WatchedParticipant(participant, "in-flight-at-start", drainCounted)
                        : participant);
        RawHttpConnection client = connect();
        client.send("/held");
        awaitLatch("the held handler to start", heldEntered);

        Future<ShutdownReport> run = background.submit(() -> coordinator.run(ShutdownReason.SIGTERM));
        awaitLatch("the drain to count the requests in flight", drainCounted);
        release.countDown();

        RawHttpConnection.Response response = client.read();
        assertThat(response.status(), is(200));
        assertThat(response.body().length(), is(LARGE_BODY.length()));
        assertThat(response.body(), is(LARGE_BODY));
        assertThat(response.closesConnection(), is(true));

        ShutdownReport report = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.toTable(), report.isClean(), is(true));
        Map<String, Long> figures = report.outcome(DrainParticipant.NAME).orElseThrow().figures();
        assertThat(report.toTable(), figures.get("in-flight-at-start"), is(1L));
        assertThat(report.toTable(), figures.get("completed"), greaterThanOrEqualTo(1L));
        assertThat(report.toTable(), figures.get("aborted"), is(0L));
    }

    @Test
    void refusesNewConnectionsOnceTheListenerHasStoppedWhileTheRequestInFlightCompletes() throws Exception {
        start(TEN_SECONDS);
        CountDownLatch listenerStopped = new CountDownLatch(1);
        ShutdownCoordinator coordinator = coordinator(
                new RecordingParticipant("after-listener", ShutdownPhase.DRAIN, -1, listenerStopped));
        RawHttpConnection client = connect();
        client.send("/held");
        awaitLatch("the held handler to start", heldEntered);

        Future<ShutdownReport> run = background.submit(() -> coordinator.run(ShutdownReason.SIGTERM));
        awaitLatch("the listener participant to end", listenerStopped);

        assertThrows(ConnectException.class, () -> RawHttpConnection.open(server.port()).close());
        release.countDown();
        RawHttpConnection.Response response = client.read();
        assertThat(response.status(), is(200));
        assertThat(response.body(), is(LARGE_BODY));
        ShutdownReport report = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.toTable(), report.isClean(), is(true));
    }

    @Test
    void closesAKeepAliveConnectionThatIsIdleAtShutdown() throws Exception {
        start(TEN_SECONDS);
        ShutdownCoordinator coordinator = coordinator();
        RawHttpConnection client = connect();
        RawHttpConnection.Response response = client.get("/");
        assertThat(response.status(), is(200));
        assertThat(response.closesConnection(), is(false));

        Future<ShutdownReport> run = background.submit(() -> coordinator.run(ShutdownReason.SIGTERM));

        assertThat("the server closed the idle connection", client.awaitEndOfStream(Duration.ofSeconds(3)), is(true));
        ShutdownReport report = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.toTable(), report.isClean(), is(true));
    }

    @Test
    void idleServerWithIdleKeepAliveConnectionsStopsWithinTwoSeconds() throws Exception {
        // quiet-close beyond the bound: the idle grace (1 s) closes them
        start(listenerSettings(Map.of("quiet-close", "10s")));
        ShutdownCoordinator coordinator = coordinator();
        List<RawHttpConnection> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            idle.add(connect());
            assertThat(idle.getLast().get("/").status(), is(200));
        }

        long start = System.nanoTime();
        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(report.toTable(), took, lessThan(Duration.ofSeconds(2)));
        assertThat(report.toTable(), report.isClean(), is(true));
        for (RawHttpConnection client : idle) {
            assertThat("the server closed each idle connection", client.awaitEndOfStream(WAIT), is(true));
        }
    }

    @Test
    void quietServerClosesItsIdlePooledConnectionsWithoutWaitingForTheIdleGrace() throws Exception {
        start(listenerSettings(Map.of("idle-grace", "10s")));
        ShutdownCoordinator coordinator = coordinator();
        List<RawHttpConnection> pooled = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pooled.add(connect());
            assertThat(pooled.getLast().get("/").status(), is(200));
        }
        // Quiet means no request in routing when the stop begins. A client has its response a moment before the
        // server's thread leaves routing (on a loaded machine, milliseconds): without this wait the stop could begin
        // inside that moment, see a busy server, and rightly keep the 10 s grace.
        awaitTrue("every connection back to waiting for its next request", () -> shutdown.connections().allIdle());

        long start = System.nanoTime();
        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // the grace alone would hold the stop for 10 s
        assertThat(report.toTable(), took, lessThan(Duration.ofSeconds(5)));
        assertThat(report.toTable(), report.isClean(), is(true));
        for (RawHttpConnection client : pooled) {
            assertThat("the server closed each idle connection", client.awaitEndOfStream(WAIT), is(true));
        }
    }

    @Test
    void aRequestAfterTheStopBeganKeepsTheIdleGraceForTheOtherConnections() throws Exception {
        start(listenerSettings(Map.of("idle-grace", "4s", "quiet-close", "2s")));
        CountDownLatch listenerStopped = new CountDownLatch(1);
        ShutdownCoordinator coordinator = coordinator(
                new RecordingParticipant("after-listener", ShutdownPhase.DRAIN, -1, listenerStopped));
        RawHttpConnection idle = connect();
        assertThat(idle.get("/").status(), is(200));
        RawHttpConnection busy = connect();
        assertThat(busy.get("/").status(), is(200));

        long start = System.nanoTime();
        Future<ShutdownReport> run = background.submit(() -> coordinator.run(ShutdownReason.SIGTERM));
        awaitLatch("the listener participant to end", listenerStopped);
        // a client still sending: the server is not quiet, so a slow client's idle connection keeps its grace
        RawHttpConnection.Response during = busy.get("/");
        assertThat(during.status(), is(200));
        assertThat(during.closesConnection(), is(true));

        assertThat("the server closed the idle connection", idle.awaitEndOfStream(Duration.ofSeconds(10)), is(true));
        Duration closedAfter = Duration.ofNanos(System.nanoTime() - start);
        assertThat("closed after the grace (4 s), not after the quiet (2 s)", closedAfter,
                   greaterThanOrEqualTo(Duration.ofSeconds(3)));
        ShutdownReport report = run.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
        assertThat(report.toTable(), report.isClean(), is(true));
    }

    @Test
    void quietServerGivesAConnectionThatNeverSentARequestTheIdleGrace() throws Exception {
        start(listenerSettings(Map.of("idle-grace", "4s")));
        ShutdownCoordinator coordinator = coordinator();
        RawHttpConnection pooled = connect();
        assertThat(pooled.get("/").status(), is(200));
        RawHttpConnection fresh = connect();
        awaitTrue("the server to accept the fresh connection", () -> shutdown.connections().size() == 2);

        long start = System.nanoTime();
        Future<ShutdownReport> run = background.submit(() -> coordinator.run(ShutdownReason.SIGTERM));
        assertThat("the server closed the pooled connection", pooled.awaitEndOfStream(WAIT), is(true));
        Duration pooledClosed = Duration.ofNanos(System.nanoTime() - start);
        assertThat("the server closed the fresh connection", fresh.awaitEndOfStream(Duration.ofSeconds(10)),
                   is(true));
        Duration freshClosed = Duration.ofNanos(System.nanoTime() - start);

        assertThat("the pooled connection closed on the quiet", pooledClosed, lessThan(Duration.ofSeconds(2)));
        assertThat("the fresh connection kept the grace (4 s)", freshClosed,
                   greaterThanOrEqualTo(Duration.ofSeconds(3)));
        ShutdownReport report = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.toTable(), report.isClean(), is(true));
    }

    @Test
    void aRequestInRoutingAtTheStopKeepsTheIdleGraceForTheOtherConnections() throws Exception {
        start(listenerSettings(Map.of("idle-grace", "4s", "quiet-close", "1s")));
        ShutdownCoordinator coordinator = coordinator();
        RawHttpConnection idle = connect();
        assertThat(idle.get("/").status(), is(200));
        RawHttpConnection busy = connect();
        busy.send("/held");
        awaitLatch("the held handler to start", heldEntered);

        long start = System.nanoTime();
        Future<ShutdownReport> run = background.submit(() -> coordinator.run(ShutdownReason.SIGTERM));
        // a request in routing at the stop: the server is not quiet, though none enters after it
        assertThat("the server closed the idle connection", idle.awaitEndOfStream(Duration.ofSeconds(10)), is(true));
        Duration closedAfter = Duration.ofNanos(System.nanoTime() - start);
        release.countDown();
        assertThat(busy.read().status(), is(200));
        assertThat("closed after the grace (4 s), not after the quiet (1 s)", closedAfter,
                   greaterThanOrEqualTo(Duration.ofSeconds(3)));
        ShutdownReport report = run.get(WAIT.toSeconds() * 2, TimeUnit.SECONDS);
        assertThat(report.toTable(), report.isClean(), is(true));
    }

    @Test
    void rejectsAQuietCloseThatIsNotAPositiveDurationNamingTheKey() {
        ShutdownConfig bad = listenerSettings(Map.of("quiet-close", "soon"));
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class, () -> new ServerShutdown(bad));
        assertThat(e.getMessage(), containsString("shutdown.participants.listener.settings.quiet-close"));
    }

    @Test
    void answersARequestOnAKeepAliveConnectionAfterReadinessWentDownWithConnectionCloseAndThenClosesIt()
            throws Exception {
        start(ShutdownConfig.defaults().withDeadline(Duration.ofSeconds(10)).withReadinessDelay(Duration.ofSeconds(2)));
        ShutdownCoordinator coordinator = coordinator();
        RawHttpConnection client = connect();
        assertThat(client.get("/").closesConnection(), is(false));

        Future<ShutdownReport> run = background.submit(() -> coordinator.run(ShutdownReason.SIGTERM));
        awaitTrue("readiness to go down", () -> !shutdown.readiness().isOpen());
        awaitTrue("responses to be marked Connection: close", shutdown.requests()::isClosingConnections);

        RawHttpConnection.Response response = client.get("/");
        assertThat(response.status(), is(200));
        assertThat(response.body(), is("hello"));
        assertThat(response.closesConnection(), is(true));
        assertThat("the server closed the connection after the response", client.awaitEndOfStream(WAIT), is(true));
        RawHttpConnection.Response newcomer = connect().get("/");
        assertThat("a new connection during the delay is served", newcomer.status(), is(200));
        assertThat(newcomer.closesConnection(), is(true));
        // Still in the readiness delay: the filter closed these connections, not the idle reaping at listener stop.
        assertThat(shutdown.connections().isStopping(), is(false));

        ShutdownReport report = run.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(report.toTable(), report.isClean(), is(true));
        long delayMs = report.outcome(ReadinessParticipant.NAME).orElseThrow().figures().get("readiness-delay-ms");
        assertThat(report.toTable(), delayMs, greaterThanOrEqualTo(2000L));
        assertThat(report.toTable(), delayMs, lessThan(3000L));
    }

    /**
     * This also covers a bug where the drain's own wait timed out at the very instant its budget ended and raced the
     * coordinator's interrupt, so a few percent of runs reported it FAILED (a bare TimeoutException) instead.
     */
    @Test
    void cutsOffAHandlerThatOverrunsTheDeadlineAndReturnsInTime() throws Exception {
        Duration deadline = Duration.ofSeconds(2);
        start(ShutdownConfig.defaults().withDeadline(deadline));
        ShutdownCoordinator coordinator = coordinator();
        RawHttpConnection client = connect();
        client.send("/sleeping");
        awaitLatch("the sleeping handler to start", sleepingEntered);

        long start = System.nanoTime();
        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(report.toTable(), took, lessThan(deadline.plusMillis(1500)));
        assertThat(report.toTable(), report.isClean(), is(false));
        ParticipantOutcome drain = report.outcome(DrainParticipant.NAME).orElseThrow();
        assertThat(report.toTable(), drain, instanceOf(ParticipantOutcome.TimedOut.class));
        assertThat(report.toTable(), ((ParticipantOutcome.TimedOut) drain).abandoned(), is(false));
        assertThat(report.toTable(), drain.figures().get("in-flight-at-start"), is(1L));
        assertThat(report.toTable(), drain.figures().get("aborted"), is(1L));
        // Helidon sends the interrupted handler's 500 or nothing, depending on timing; the client is not left hanging.
        try {
            RawHttpConnection.Response response = client.read();
            assertThat(response.status(), is(500));
            assertThat(response.closesConnection(), is(true));
            assertThat(client.awaitEndOfStream(WAIT), is(true));
        } catch (EOFException closedWithoutResponse) {
            // also an end
        }
    }

    /**
     * This covers a bug where the idle-connection reaper ended as soon as it found no connection open, so a
     * connection accepted after that (the listener thread is still in {@code accept()} for a few ms after shutdown
     * begins) was never closed and the stop took the whole deadline. Starting the reaper early with no connection
     * open makes that ordering certain.
     */
    @Test
    void closesAnIdleConnectionAcceptedAfterShutdownFoundNoneOpen() throws Exception {
        start(TEN_SECONDS);
        ShutdownCoordinator coordinator = coordinator();
        shutdown.connections().beginShutdown();
        RawHttpConnection client = connect();

        assertThat("the server closed the idle connection", client.awaitEndOfStream(Duration.ofSeconds(3)), is(true));
        long start = System.nanoTime();
        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);
        assertThat(report.toTable(), Duration.ofNanos(System.nanoTime() - start), lessThan(Duration.ofSeconds(2)));
        assertThat(report.toTable(), report.isClean(), is(true));
    }

    /**
     * This covers a bug where the listener participant waited for the first thread named like a listener, which
     * could be another server's (same socket name, same thread name): it then waited its whole bound (2 s) for a
     * thread that never ended, and never waited for its own.
     */
    @Test
    void waitsForItsOwnListenerWhileOtherServersRunInTheSameJvm() throws Exception {
        List<WebServer> others = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                others.add(WebServer.builder().host("127.0.0.1").port(0).shutdownHook(false)
                                   .featuresDiscoverServices(false).build().start());
            }
            start(TEN_SECONDS);
            ShutdownCoordinator coordinator = coordinator();

            ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

            ParticipantOutcome listener = report.outcome(ListenerStopParticipant.NAME).orElseThrow();
            assertThat(report.toTable(), listener.elapsed(), lessThan(Duration.ofSeconds(1)));
            assertThat(report.toTable(), report.isClean(), is(true));
            for (WebServer other : others) {
                assertThat("another server kept serving", other.isRunning(), is(true));
            }
        } finally {
            others.forEach(WebServer::stop);
        }
    }

    private void start(ShutdownConfig config) {
        fixture = new ServerFixture(config).start(routing -> routing
                .get("/", (req, res) -> res.send("hello"))
                .get("/held", (req, res) -> {
                    heldEntered.countDown();
                    if (!release.await(WAIT.toSeconds() * 2, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never released the handler");
                    }
                    res.send(LARGE_BODY);
                })
                .get("/sleeping", (req, res) -> {
                    sleepingEntered.countDown();
                    Thread.sleep(Duration.ofMinutes(1));
                    res.send("woke up");
                }), builder -> { });
        shutdown = fixture.shutdown();
        server = fixture.server();
    }

    /** Ten seconds of deadline, and the given settings of the {@code listener} participant. */
    private static ShutdownConfig listenerSettings(Map<String, String> settings) {
        Map<String, String> flat = new java.util.HashMap<>(Map.of("shutdown.deadline", "10s"));
        settings.forEach((key, value) -> flat.put("shutdown.participants.listener.settings." + key, value));
        return ShutdownConfig.fromProperties(flat);
    }

    /** A coordinator with the server's built-in participants, as they are, plus the given ones. */
    private ShutdownCoordinator coordinator(ShutdownParticipant... extra) {
        return coordinator(participant -> participant, extra);
    }

    /** A coordinator with the server's built-in participants, each passed through {@code wrap}, plus the given ones. */
    private ShutdownCoordinator coordinator(UnaryOperator<ShutdownParticipant> wrap,
                                            ShutdownParticipant... extra) {
        return fixture.coordinator(participant -> true, wrap, extra);
    }

    private RawHttpConnection connect() throws IOException {
        return fixture.connect();
    }
}
