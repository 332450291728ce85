package dev.graceful.helidon;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.graceful.ShutdownConfig;
import dev.graceful.spi.ShutdownParticipant;

import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionProvider;

/**
 * Assembles graceful shutdown for one Helidon {@link WebServer}: configures the server builder, provides the
 * in-flight filter and readiness check to install, and creates the built-in participants.
 *
 * <p>Typical use:
 * <pre>{@code
 * ServerShutdown shutdown = new ServerShutdown(shutdownConfig);
 * WebServerConfig.Builder builder = WebServer.builder().config(config.get("server"));
 * shutdown.configure(builder);
 * builder.routing(r -> r.addFilter(shutdown.requests()).get("/", ...));
 * // add shutdown.readiness() to the HealthObserver
 * WebServer server = builder.build();
 * coordinatorBuilder.addAll(shutdown.participants(server));
 * }</pre>
 */
public final class ServerShutdown {

    private final ShutdownConfig config;
    private final InFlightRequests requests = new InFlightRequests();
    private final OpenConnections connections = new OpenConnections();
    private final ReadinessGate readiness = new ReadinessGate();
    private Duration restartDelay = Duration.ZERO;

    /**
     * Creates the assembly for one server.
     *
     * @param config the shutdown configuration
     */
    public ServerShutdown(ShutdownConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Configures a server builder: Helidon's own shutdown hook off (the coordinator is the only one), its stop
     * grace period set to the deadline (so Helidon never interrupts a handler before the coordinator decides to),
     * and HTTP/1.1 connections tracked by {@link OpenConnections}. Call after the builder read its configuration.
     *
     * @param builder the builder of the server
     * @return the same builder
     */
    public WebServerConfig.Builder configure(WebServerConfig.Builder builder) {
        Http1Config http1 = builder.protocols().stream()
                .filter(Http1Config.class::isInstance)
                .map(Http1Config.class::cast)
                .findFirst()
                .orElseGet(Http1Config::create);
        var selector = new Http1ConnectionProvider()
                .create(builder.name(), http1, ProtocolConfigs.create(builder.protocols()));
        return builder.shutdownHook(false)
                .shutdownGracePeriod(config.deadline())
                .protocolsDiscoverServices(false)
                .connectionSelectors(List.of(connections.wrap(selector)));
    }

    /**
     * Sets the least time the {@code readiness} participant keeps serving, with {@code Connection: close}, when the
     * shutdown is a restart hand-over; the configured readiness delay applies when it is longer.
     *
     * @param delay the hand-over delay
     * @return this
     */
    public ServerShutdown restartDelay(Duration delay) {
        this.restartDelay = Objects.requireNonNull(delay, "delay");
        return this;
    }

    /**
     * Returns the in-flight filter; install it first in routing.
     *
     * @return the filter
     */
    public InFlightRequests requests() {
        return requests;
    }

    /**
     * Returns the readiness check; add it to the health observer.
     *
     * @return the check
     */
    public ReadinessGate readiness() {
        return readiness;
    }

    /**
     * Returns the connection tracker.
     *
     * @return the tracker
     */
    public OpenConnections connections() {
        return connections;
    }

    /**
     * Creates the built-in participants for the built server: {@code readiness}, {@code listener} and
     * {@code in-flight-requests}.
     *
     * @param server the server built from the configured builder
     * @return the participants, in phase order
     */
    public List<ShutdownParticipant> participants(WebServer server) {
        ListenerStopParticipant listener = new ListenerStopParticipant(server, connections, requests);
        return List.of(new ReadinessParticipant(readiness, requests, config.readinessDelay(), restartDelay,
                                                config.quietPeriod()),
                       listener,
                       new DrainParticipant(requests, connections, listener.stopped(), config.drainTimeout()));
    }
}
