package dev.graceful.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

import dev.graceful.helidon.OpenStreams;
import dev.graceful.spi.ShutdownParticipant;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.websocket.WsListener;

/**
 * What a service contributes to its {@link GracefulServer}, given the loaded configuration: routing, WebSocket
 * endpoints, server customisation, health checks, participants and start-up actions. Handed to the steps added with
 * {@link GracefulServer.Builder#setup}, once, on the thread that starts the server, before the server is built; it
 * must not be kept and used later.
 *
 * <p>The kit installs its own in-flight filter first on every listener, so nothing registered here can run ahead of
 * it. Registrations keep their order.
 */
public final class ServerSetup {

    private final Config config;
    private final OpenStreams streams;
    private final Map<String, List<Consumer<HttpRouting.Builder>>> routing = new LinkedHashMap<>();
    private final Map<String, WsListener> webSockets = new LinkedHashMap<>();
    private final List<Consumer<WebServerConfig.Builder>> server = new ArrayList<>();
    private final List<HealthCheck> healthChecks = new ArrayList<>();
    private final List<ShutdownParticipant> participants = new ArrayList<>();
    private final List<StartAction> startActions = new ArrayList<>();

    ServerSetup(Config config, OpenStreams streams) {
        this.config = config;
        this.streams = streams;
    }

    /**
     * Returns the root configuration, loaded the Helidon way (environment variables and system properties override
     * the file).
     *
     * @return the configuration
     */
    public Config config() {
        return config;
    }

    /**
     * Returns the registry of long-lived streams: open server-sent event streams with
     * {@link OpenStreams#sse(io.helidon.webserver.http.ServerRequest, io.helidon.webserver.http.ServerResponse)} so
     * that the {@code streams} participant ends them with a final event at shutdown.
     *
     * @return the registry
     */
    public OpenStreams streams() {
        return streams;
    }

    /**
     * Adds HTTP routing to the default listener.
     *
     * @param routing registers routes, services and filters
     * @return this
     */
    public ServerSetup routing(Consumer<HttpRouting.Builder> routing) {
        return routing(WebServer.DEFAULT_SOCKET_NAME, routing);
    }

    /**
     * Adds HTTP routing to a named listener ({@code server.sockets} in configuration, or one added with
     * {@link #server}).
     *
     * @param socket  the listener's name
     * @param routing registers routes, services and filters
     * @return this
     */
    public ServerSetup routing(String socket, Consumer<HttpRouting.Builder> routing) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(routing, "routing");
        this.routing.computeIfAbsent(socket, s -> new ArrayList<>()).add(routing);
        return this;
    }

    /**
     * Adds a WebSocket endpoint to the default listener. Its sessions are tracked, so that at shutdown each gets a
     * close frame with code 1001 (Going Away), and new upgrades are refused with 503 while streams wind down.
     *
     * @param path     the endpoint's path
     * @param listener the application's listener
     * @return this
     */
    public ServerSetup webSocket(String path, WsListener listener) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(listener, "listener");
        if (webSockets.putIfAbsent(path, listener) != null) {
            throw new IllegalArgumentException("WebSocket endpoint '" + path + "' is registered twice");
        }
        return this;
    }

    /**
     * Customises the server builder after it has read {@code server} from configuration: named sockets, TLS,
     * features, protocol settings. The kit then configures every listener for graceful shutdown (its own connection
     * selector, shutdown grace period and {@code SO_REUSEPORT}), so connection selectors set here are replaced.
     *
     * @param customizer changes the builder
     * @return this
     */
    public ServerSetup server(Consumer<WebServerConfig.Builder> customizer) {
        server.add(Objects.requireNonNull(customizer, "customizer"));
        return this;
    }

    /**
     * Adds a health check next to the kit's readiness gate, served under {@code /observe/health}.
     *
     * @param check the check
     * @return this
     */
    public ServerSetup healthCheck(HealthCheck check) {
        healthChecks.add(Objects.requireNonNull(check, "check"));
        return this;
    }

    /**
     * Adds a shutdown participant, next to the built-in ones and those found by {@link java.util.ServiceLoader}
     * and in the plugins directory.
     *
     * @param participant the participant
     * @return this
     */
    public ServerSetup participant(ShutdownParticipant participant) {
        participants.add(Objects.requireNonNull(participant, "participant"));
        return this;
    }

    /**
     * Adds an action that runs once the configuration is valid, the plan is built and the port is this process's,
     * just before the server starts: open a database, start a writer. When one throws, the service does not start
     * (exit code 69, the message names the cause), and later actions do not run.
     *
     * @param action the action
     * @return this
     */
    public ServerSetup onStart(StartAction action) {
        startActions.add(Objects.requireNonNull(action, "action"));
        return this;
    }

    Map<String, List<Consumer<HttpRouting.Builder>>> routings() {
        return routing;
    }

    Map<String, WsListener> webSockets() {
        return webSockets;
    }

    List<Consumer<WebServerConfig.Builder>> serverCustomizers() {
        return server;
    }

    List<HealthCheck> healthChecks() {
        return healthChecks;
    }

    List<ShutdownParticipant> participants() {
        return participants;
    }

    List<StartAction> startActions() {
        return startActions;
    }

    /**
     * Work done just before the server starts.
     */
    @FunctionalInterface
    public interface StartAction {
        /**
         * Runs the action.
         *
         * @throws Exception when the service cannot start
         */
        void run() throws Exception;
    }
}
