package dev.graceful.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.Durations;
import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownConfigException;
import dev.graceful.ShutdownCoordinator;
import dev.graceful.ShutdownReport;
import dev.graceful.helidon.ServerShutdown;
import dev.graceful.helidon.ShutdownConfigs;
import dev.graceful.spi.ShutdownReason;

import io.helidon.common.Weighted;
import io.helidon.config.Config;
import io.helidon.http.Status;
import io.helidon.spi.HelidonShutdownHandler;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.spi.ServerFeature;

/**
 * Graceful shutdown for an existing Helidon {@code main}, by configuration alone: with {@code graceful-launcher} on the
 * class path, a {@code server.features.graceful} node turns it on (Helidon discovers the feature through
 * {@link GracefulFeatureProvider}); the {@code shutdown} section at the configuration's root sets the deadline and
 * the participants, as for {@link GracefulServer}. Without that node the feature does nothing.
 *
 * <p>What it does: installs the in-flight filter first on every listener; answers {@code /observe/health/ready} and
 * {@code /observe/health} with 503 once the shutdown has begun; and, when the JVM shuts down (SIGTERM, SIGINT,
 * {@code System.exit}), runs the coordinator under the one deadline before Helidon's own shutdown handler: readiness
 * delay with {@code Connection: close}, every listener closed together, the drain of accepted requests, then the
 * participants found by {@link java.util.ServiceLoader}; the report goes to stderr and {@code shutdown.report-file}.
 *
 * <p>What a feature cannot do, because Helidon has built the listeners by the time features are set up: install the
 * kit's connection selector, so a request already on its way on an idle keep-alive connection can still be lost when
 * Helidon closes that connection, HTTP/2 connections get no GOAWAY and WebSocket sessions no close frame; set the
 * listeners' shutdown grace period, so the feature refuses to start unless {@code server.shutdown-grace-period}
 * (and each socket's) covers the deadline; handle signals, so there is no second-signal force, no SIGHUP restart and
 * no exit code of ours (the JVM's own applies, 143 for SIGTERM). {@link GracefulServer} does all of these.
 */
public final class GracefulFeature implements ServerFeature, Weighted {

    /** The feature's configuration key under {@code server.features}. */
    public static final String CONFIG_KEY = "graceful";

    /** Above the WebServer's own shutdown handler (100), so the drain runs before Helidon stops the server. */
    private static final double HANDLER_WEIGHT = 200;
    private static final List<String> HEALTH_PATHS = List.of("/observe/health", "/observe/health/ready");

    private final Config config;
    private final String name;
    private volatile Running running;

    private GracefulFeature(Config config, String name) {
        this.config = config;
        this.name = name;
    }

    static GracefulFeature create(Config config, String name) {
        return new GracefulFeature(Objects.requireNonNull(config, "config"), Objects.requireNonNull(name, "name"));
    }

    /**
     * Returns whether the configuration turns the feature on: a {@code server.features.graceful} node exists and
     * its {@code enabled} is not {@code false}.
     *
     * @return {@code true} if on
     */
    public boolean isEnabled() {
        return config.exists() && config.get("enabled").asBoolean().orElse(true);
    }

    @Override
    public void setup(ServerFeatureContext context) {
        if (!isEnabled()) {
            return;
        }
        ShutdownConfig shutdownConfig = ShutdownConfigs.from(config.root());
        requireGraceCovers(context.serverConfig(), shutdownConfig.deadline());
        ServerShutdown shutdown = new ServerShutdown(shutdownConfig);
        List<String> sockets = new ArrayList<>();
        sockets.add(WebServer.DEFAULT_SOCKET_NAME);
        sockets.addAll(context.sockets());
        for (String socket : sockets) {
            HttpRouting.Builder routing = context.socket(socket).httpRouting();
            routing.addFilter(shutdown.requests());
            for (String path : HEALTH_PATHS) {
                routing.get(path, (req, res) -> {
                    if (shutdown.readiness().isOpen()) {
                        res.next();
                    } else {
                        res.status(Status.SERVICE_UNAVAILABLE_503).send();
                    }
                });
            }
        }
        context.socket(WebServer.DEFAULT_SOCKET_NAME).httpRouting().addFeature(new Lifecycle(shutdown, shutdownConfig));
    }

    /**
     * Runs the graceful shutdown now, as the JVM's shutdown would, and returns its report; it runs once, so a later
     * call, or the JVM's shutdown, gets the same report. For tests, and for a {@code main} that stops in code.
     *
     * @param reason why the service stops
     * @return the report, or empty if the feature is off or the server has not started
     */
    public Optional<ShutdownReport> stop(ShutdownReason reason) {
        Objects.requireNonNull(reason, "reason");
        Running r = running;
        return r == null ? Optional.empty() : Optional.of(r.stop(reason));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return CONFIG_KEY;
    }

    @Override
    public double weight() {
        // its filter and routes come first, as ServerShutdown's own feature's do
        return ServerShutdown.FIRST_WEIGHT;
    }

    private static void requireGraceCovers(WebServerConfig server, Duration deadline) {
        List<ListenerConfig> listeners = new ArrayList<>();
        listeners.add(server);
        listeners.addAll(server.sockets().values());
        for (ListenerConfig listener : listeners) {
            if (listener.shutdownGracePeriod().compareTo(deadline) < 0) {
                String key = listener == server ? "server.shutdown-grace-period"
                        : "server.sockets." + listener.name() + ".shutdown-grace-period";
                throw new ShutdownConfigException(key, listener.shutdownGracePeriod().toString(),
                        "must be at least shutdown.deadline (" + Durations.format(deadline) + ") with "
                                + "server.features.graceful, or Helidon interrupts requests in flight after it");
            }
        }
    }

    /** Builds the coordinator once the server exists, and runs it before Helidon's own shutdown handler. */
    private final class Lifecycle implements HttpFeature {
        private final ServerShutdown shutdown;
        private final ShutdownConfig shutdownConfig;

        Lifecycle(ServerShutdown shutdown, ShutdownConfig shutdownConfig) {
            this.shutdown = shutdown;
            this.shutdownConfig = shutdownConfig;
        }

        @Override
        public void setup(HttpRouting.Builder routing) {
        }

        @Override
        public void afterStart(WebServer server) {
            ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder().config(shutdownConfig);
            shutdown.participants(server).forEach(builder::add);
            Running r = new Running(builder.discover(GracefulFeature.class.getClassLoader()).build(),
                                    new ReportOutput(shutdownConfig.reportFile(), System.err, false));
            running = r;
            io.helidon.Main.addShutdownHandler(r);
        }
    }

    private record Running(ShutdownCoordinator coordinator, ReportOutput output)
            implements HelidonShutdownHandler, Weighted {

        ShutdownReport stop(ShutdownReason reason) {
            ShutdownReport report = coordinator.run(reason);
            output.publish(report);
            return report;
        }

        @Override
        public void shutdown() {
            stop(ShutdownReason.JVM_EXIT);
        }

        @Override
        public double weight() {
            return HANDLER_WEIGHT;
        }
    }
}
