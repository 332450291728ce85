package dev.graceful.launcher;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.ShutdownConfigException;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownReason;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A plain Helidon {@code main}'s server, as a team has it today, adopting graceful by configuration alone
 * ({@code server.features.graceful}, discovered from the class path).
 */
class GracefulFeatureIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private WebServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aConfiguredServerDrainsItsRequestsAndTurnsReadinessDownBeforeHelidonStopsIt() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server = WebServer.builder()
                .config(yaml("""
                        server:
                          port: 0
                          host: 127.0.0.1
                          shutdown-grace-period: PT10S
                          features:
                            graceful:
                              enabled: true
                        shutdown:
                          deadline: 10s
                          readiness-delay: 1s
                        """).get("server"))
                .routing(r -> r
                        .get("/", (req, res) -> res.send("hello"))
                        .get("/held", (req, res) -> {
                            entered.countDown();
                            release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                            res.send("done");
                        }))
                .build()
                .start();
        int port = server.port();
        assertThat(get(port, "/observe/health/ready").statusCode(), is(204));
        CompletableFuture<HttpResponse<String>> held = client.sendAsync(request(port, "/held"),
                                                                         HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));

        CompletableFuture<Optional<ShutdownReport>> report = CompletableFuture.supplyAsync(
                () -> feature().stop(ShutdownReason.REQUESTED));
        awaitStatus(port, "/observe/health/ready", 503);
        assertThat(get(port, "/observe/health").statusCode(), is(503));
        HttpResponse<String> during = get(port, "/");
        assertThat(during.body(), is("hello"));
        assertThat(during.headers().firstValue("connection").orElse(""), is("close"));

        awaitRefused(port);
        release.countDown();
        assertThat(held.get(WAIT.toSeconds(), TimeUnit.SECONDS).body(), is("done"));
        ShutdownReport r = report.get(WAIT.toSeconds(), TimeUnit.SECONDS).orElseThrow();
        assertThat(r.toTable(), r.isClean(), is(true));
        assertThat(r.toJson(), containsString("\"aborted\":0"));
        assertThat(r.toJson(), containsString("\"name\":\"in-flight-requests\""));
        assertThat(feature().stop(ShutdownReason.SIGTERM).orElseThrow(), is(r));
    }

    @Test
    void aGracePeriodShorterThanTheDeadlineIsRefusedNamingTheKey() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class, () -> WebServer.builder()
                .config(yaml("""
                        server:
                          port: 0
                          features:
                            graceful:
                              enabled: true
                        shutdown:
                          deadline: 10s
                        """).get("server"))
                .build());
        assertThat(e.getMessage(), containsString("server.shutdown-grace-period='PT0.5S'"));
        assertThat(e.getMessage(), containsString("shutdown.deadline (10s)"));
    }

    @Test
    void withoutItsNodeTheFeatureDoesNothing() throws Exception {
        server = WebServer.builder()
                .config(yaml("server:\n  port: 0\n  host: 127.0.0.1\n").get("server"))
                .routing(r -> r.get("/", (req, res) -> res.send("hello")))
                .build()
                .start();
        assertThat(feature().isEnabled(), is(false));
        assertThat(feature().stop(ShutdownReason.REQUESTED), is(Optional.empty()));
        assertThat(get(server.port(), "/").body(), is("hello"));
    }

    private GracefulFeature feature() {
        return server.prototype().features().stream()
                .filter(GracefulFeature.class::isInstance)
                .map(GracefulFeature.class::cast)
                .findFirst()
                .orElseThrow(() -> new AssertionError("the feature was not discovered"));
    }

    private static Config yaml(String yaml) {
        return Config.just(ConfigSources.create(yaml, MediaTypes.APPLICATION_X_YAML));
    }

    private static HttpRequest request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(WAIT).build();
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return client.send(request(port, path), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitStatus(int port, String path, int status) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (get(port, path).statusCode() != status) {
            if (System.nanoTime() > end) {
                throw new AssertionError(path + " never answered " + status);
            }
            Thread.sleep(10);
        }
    }

    private static void awaitRefused(int port) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            } catch (ConnectException e) {
                return;
            } catch (IOException e) {
                // try again
            }
            Thread.sleep(10);
        }
        throw new AssertionError("port " + port + " still accepts connections");
    }
}
