package dev.graceful.launcher;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.ParticipantOutcome;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.webserver.http.Handler;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The embeddable form of the launcher on real sockets: what a service's own JUnit test does with
 * {@link GracefulServer#start()}.
 */
class GracefulServerIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TWO_SOCKETS = """
            server:
              port: 0
              host: 127.0.0.1
              sockets:
                - name: admin
                  port: 0
                  host: 127.0.0.1
            shutdown:
              deadline: 10s
            """;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private RunningServer running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.stop(ShutdownReason.REQUESTED);
        }
    }

    @Test
    void stopClosesEveryListenerAtStopAcceptingAndDrainsTheRequestsOfEach() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        DrainStarted drainStarted = new DrainStarted();
        Handler held = (req, res) -> {
            entered.countDown();
            if (!release.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the handler");
            }
            res.send("done " + req.listenerContext().config().name());
        };
        running = GracefulServer.builder()
                .config(yaml(TWO_SOCKETS))
                .routing(r -> r.get("/held", held))
                .routing("admin", r -> r.get("/held", held))
                .participant(drainStarted)
                .build()
                .start();
        int port = running.port();
        int admin = running.port("admin");
        CompletableFuture<HttpResponse<String>> onDefault = get(port, "/held");
        CompletableFuture<HttpResponse<String>> onAdmin = get(admin, "/held");
        assertThat("both requests entered their handlers", entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));
        // both held requests (and this probe) are counted: the in-flight filter is on the admin listener too
        assertThat(inFlightGauge(port), is(3L));

        CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(
                () -> running.stop(ShutdownReason.REQUESTED));
        assertThat("the drain started", drainStarted.latch.await(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));
        assertThat("default listener closed", refusesConnections(port), is(true));
        assertThat("admin listener closed", refusesConnections(admin), is(true));
        release.countDown();

        assertThat(onDefault.get(WAIT.toSeconds(), TimeUnit.SECONDS).body(), is("done @default"));
        assertThat(onAdmin.get(WAIT.toSeconds(), TimeUnit.SECONDS).body(), is("done admin"));
        ShutdownReport r = report.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.toTable(), r.isClean(), is(true));
        assertThat(r.toJson(), containsString("\"aborted\":0"));
    }

    /** This covers a bug where a service's own filter could run before the in-flight filter, hiding its requests. */
    @Test
    void theKitsFilterCountsARequestThatTheServicesOwnFilterHolds() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        running = GracefulServer.builder()
                .config(yaml("server:\n  port: 0\n  host: 127.0.0.1\n"))
                .routing(r -> r
                        .addFilter((chain, req, res) -> {
                            if (req.path().path().equals("/held")) {
                                entered.countDown();
                                try {
                                    release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                            chain.proceed();
                        })
                        .get("/held", (req, res) -> res.send("hello")))
                .build()
                .start();
        CompletableFuture<HttpResponse<String>> response = get(running.port(), "/held");
        assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));
        // the held request and this probe
        assertThat(inFlightGauge(running.port()), is(2L));
        release.countDown();
        assertThat(response.get(WAIT.toSeconds(), TimeUnit.SECONDS).body(), is("hello"));
    }

    @Test
    void aServicesHealthCheckStandsNextToTheReadinessGate() throws Exception {
        HealthCheck warmingUp = new HealthCheck() {
            @Override
            public HealthCheckType type() {
                return HealthCheckType.READINESS;
            }

            @Override
            public String name() {
                return "warming-up";
            }

            @Override
            public HealthCheckResponse call() {
                return HealthCheckResponse.builder().status(false).build();
            }
        };
        running = GracefulServer.builder()
                .config(yaml("server:\n  port: 0\n  host: 127.0.0.1\n"))
                .healthCheck(warmingUp)
                .build()
                .start();
        assertThat(get(running.port(), "/observe/health/ready").get().statusCode(), is(503));
        assertThat(get(running.port(), "/observe/health/live").get().statusCode(), is(204));
    }

    @Test
    void theObserveEndpointsCanBeServedOnAnAdminListenerOnly() throws Exception {
        running = GracefulServer.builder()
                .config(yaml(TWO_SOCKETS.replace("shutdown:", """
                          features:
                            observe:
                              sockets: [admin]
                        shutdown:""")))
                .routing(r -> r.get("/", (req, res) -> res.send("hello")))
                .build()
                .start();
        assertThat(get(running.port("admin"), "/observe/health/ready").get().statusCode(), is(204));
        assertThat(get(running.port(), "/observe/health/ready").get().statusCode(), is(404));
        assertThat(get(running.port(), "/").get().body(), is("hello"));
    }

    @Test
    void everyListenerSetsTcpNoDelayUnlessItsConnectionOptionsSayOtherwise() {
        running = GracefulServer.builder()
                .config(yaml(TWO_SOCKETS))
                .build()
                .start();
        assertThat(running.webServer().prototype().connectionOptions().tcpNoDelay(), is(true));
        assertThat(running.webServer().prototype().sockets().get("admin").connectionOptions().tcpNoDelay(), is(true));
        running.stop(ShutdownReason.REQUESTED);

        running = GracefulServer.builder()
                .config(yaml(TWO_SOCKETS.replace("  host: 127.0.0.1\n  sockets:",
                                                 "  host: 127.0.0.1\n  connection-options:\n    tcp-no-delay: false\n"
                                                         + "  sockets:")
                                     .replace("      host: 127.0.0.1\n",
                                              "      host: 127.0.0.1\n      connection-options:\n"
                                                      + "        tcp-no-delay: false\n")))
                .build()
                .start();
        assertThat(running.webServer().prototype().connectionOptions().tcpNoDelay(), is(false));
        assertThat(running.webServer().prototype().sockets().get("admin").connectionOptions().tcpNoDelay(), is(false));
    }

    @Test
    void aParticipantAddedInCodeRunsInItsPhaseAndStopReturnsTheSameReportTwice() {
        DrainStarted drainStarted = new DrainStarted();
        running = GracefulServer.builder()
                .config(yaml("server:\n  port: 0\n  host: 127.0.0.1\n"))
                .participant(drainStarted)
                .build()
                .start();
        ShutdownReport first = running.stop(ShutdownReason.REQUESTED);
        assertThat(running.stop(ShutdownReason.SIGTERM), sameInstance(first));
        assertThat(running.report().orElseThrow(), sameInstance(first));
        ParticipantOutcome outcome = first.outcomes().stream()
                .filter(o -> o.name().equals(DrainStarted.NAME)).findFirst().orElseThrow();
        assertThat(outcome, instanceOf(ParticipantOutcome.Completed.class));
        assertThat(outcome.phase(), is(ShutdownPhase.DRAIN));
        assertThat(first.reason(), is(ShutdownReason.REQUESTED));
    }

    @Test
    void invalidConfigurationFailsTheStartNamingTheKey() {
        StartupException e = assertThrows(StartupException.class, () -> GracefulServer.builder()
                .config(yaml("server:\n  port: 0\n  host: 127.0.0.1\nshutdown:\n  deadline: soon\n"))
                .build()
                .start());
        assertThat(e.exitCode(), is(ExitCode.INVALID_CONFIG));
        assertThat(e.getMessage(), containsString("shutdown.deadline='soon'"));
    }

    @Test
    void aSetupStepRejectingItsSettingIsInvalidConfiguration() {
        StartupException e = assertThrows(StartupException.class, () -> GracefulServer.builder()
                .config(yaml("server:\n  port: 0\n  host: 127.0.0.1\n"))
                .setup(s -> {
                    throw new IllegalArgumentException("app.pool-size='many': expected a whole number");
                })
                .build()
                .start());
        assertThat(e.exitCode(), is(ExitCode.INVALID_CONFIG));
        assertThat(e.getMessage(), is("invalid configuration: app.pool-size='many': expected a whole number"));
    }

    @Test
    void aPortInUseFailsTheStartNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            StartupException e = assertThrows(StartupException.class, () -> GracefulServer.builder()
                    .config(yaml("server:\n  port: " + port + "\n  host: 127.0.0.1\n"))
                    .build()
                    .start());
            assertThat(e.exitCode(), is(ExitCode.STARTUP_FAILED));
            assertThat(e.getMessage(), containsString("port " + port + " is already in use"));
        }
    }

    @Test
    void aStartActionThatThrowsStopsTheStartBeforeAnythingIsBound() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        StartupException e = assertThrows(StartupException.class, () -> GracefulServer.builder()
                .config(yaml("server:\n  port: " + port + "\n  host: 127.0.0.1\n"))
                .setup(s -> s.onStart(() -> {
                            ran.add("first");
                            throw new IOException("the database is not reachable");
                        })
                        .onStart(() -> ran.add("second")))
                .build()
                .start());
        assertThat(e.exitCode(), is(ExitCode.STARTUP_FAILED));
        assertThat(e.getMessage(), is("cannot start: the database is not reachable"));
        assertThat(ran, is(List.of("first")));
        assertThat("nothing bound", refusesConnections(port), is(true));
        // and the port lock was given back: the same port starts now
        running = GracefulServer.builder()
                .config(yaml("server:\n  port: " + port + "\n  host: 127.0.0.1\n"))
                .build()
                .start();
        assertThat(running.port(), is(port));
    }

    private long inFlightGauge(int port) throws Exception {
        String body = client.send(HttpRequest.newBuilder(
                                          URI.create("http://127.0.0.1:" + port + "/observe/metrics/application"))
                                          .header("Accept", "application/json").build(),
                                  HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"graceful.requests.in-flight\":(\\d+)")
                .matcher(body);
        assertThat(body, m.find(), is(true));
        return Long.parseLong(m.group(1));
    }

    private static Config yaml(String yaml) {
        return Config.just(ConfigSources.create(yaml, MediaTypes.APPLICATION_X_YAML));
    }

    private CompletableFuture<HttpResponse<String>> get(int port, String path) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                        .timeout(WAIT).build(),
                                HttpResponse.BodyHandlers.ofString());
    }

    private static boolean refusesConnections(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A DRAIN participant that runs first in its phase and says so: the listeners have closed by then. */
    private static final class DrainStarted implements ShutdownParticipant {
        static final String NAME = "drain-started";
        final CountDownLatch latch = new CountDownLatch(1);

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public ShutdownPhase phase() {
            return ShutdownPhase.DRAIN;
        }

        @Override
        public int order() {
            return -100;
        }

        @Override
        public void shutdown(ShutdownContext context) {
            latch.countDown();
        }
    }
}
