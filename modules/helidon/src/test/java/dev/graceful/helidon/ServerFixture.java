package dev.graceful.helidon;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownCoordinator;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.wire.RawHttpConnection;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real server on 127.0.0.1 with graceful shutdown configured as the launcher configures it
 * ({@link ServerShutdown#configure}), the coordinators a test runs against it, and the clients to close after the
 * test: the fixture {@link GracefulStopIT} and {@link StreamsIT} share.
 */
final class ServerFixture implements AutoCloseable {

    /** How long a test waits for something that should happen at once. */
    static final Duration WAIT = Duration.ofSeconds(5);

    private final ShutdownConfig config;
    private final ServerShutdown shutdown;
    private final List<AutoCloseable> clients = new ArrayList<>();
    private WebServer server;

    ServerFixture(ShutdownConfig config) {
        this.config = config;
        this.shutdown = new ServerShutdown(config);
    }

    /**
     * Builds and starts the server.
     *
     * @param routes the test's HTTP routes
     * @param more   anything else the test adds to the server (WebSocket routing)
     * @return this
     */
    ServerFixture start(Consumer<HttpRouting.Builder> routes, Consumer<WebServerConfig.Builder> more) {
        WebServerConfig.Builder builder = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .featuresDiscoverServices(false);
        shutdown.configure(builder);
        builder.routing(routes);
        more.accept(builder);
        server = builder.build().start();
        assertThat("the server started", server.isRunning(), is(true));
        return this;
    }

    ShutdownConfig config() {
        return config;
    }

    ServerShutdown shutdown() {
        return shutdown;
    }

    WebServer server() {
        return server;
    }

    /**
     * A coordinator with the server's built-in participants that {@code which} keeps, each passed through
     * {@code wrap}, plus the given ones.
     */
    ShutdownCoordinator coordinator(Predicate<ShutdownParticipant> which, UnaryOperator<ShutdownParticipant> wrap,
                                    ShutdownParticipant... extra) {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder().config(config);
        for (ShutdownParticipant p : shutdown.participants(server)) {
            if (which.test(p)) {
                builder.add(wrap.apply(p));
            }
        }
        for (ShutdownParticipant p : extra) {
            builder.add(p);
        }
        return builder.build();
    }

    /** Opens an HTTP/1.1 connection to the server, closed after the test. */
    RawHttpConnection connect() throws IOException {
        return closeAfter(RawHttpConnection.open(server.port()));
    }

    /** Closes the client after the test. */
    <T extends AutoCloseable> T closeAfter(T client) {
        clients.add(client);
        return client;
    }

    static void awaitLatch(String what, CountDownLatch latch) throws InterruptedException {
        if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            fail("Waited " + WAIT + " for " + what);
        }
    }

    /** Waits for a state that has no latch to wait on; it changes once, in another thread. */
    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("Waited " + WAIT + " for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Closes the clients, then stops the server. */
    @Override
    public void close() throws Exception {
        try {
            for (AutoCloseable c : clients) {
                c.close();
            }
        } finally {
            if (server != null) {
                server.stop();
            }
        }
    }
}
