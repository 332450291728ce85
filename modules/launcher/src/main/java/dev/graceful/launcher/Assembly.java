package dev.graceful.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownCoordinator;
import dev.graceful.ShutdownRendering;
import dev.graceful.helidon.ServerShutdown;
import dev.graceful.helidon.ShutdownConfigs;

import io.helidon.common.socket.SocketOptions;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.http.HeaderValues;
import io.helidon.json.JsonObject;
import io.helidon.json.JsonParser;
import io.helidon.metrics.api.Meter;
import io.helidon.webserver.ListenerConfig;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;

/**
 * One service put together from its configuration: the server built with graceful shutdown installed, and the
 * coordinator with every participant, all validated, nothing bound yet. {@link #start()} binds and serves.
 */
final class Assembly {

    static final String PLUGINS_DIR = "app.plugins-dir";
    static final String SHUTDOWN_VIEW = "/observe/shutdown";

    final Config config;
    final ShutdownConfig shutdownConfig;
    final RestartConfig restartConfig;
    final ServerShutdown shutdown;
    final WebServer server;
    final ShutdownCoordinator coordinator;
    final ReportOutput output;
    final AtomicBoolean stopping = new AtomicBoolean();
    final List<Meter> gauges = new ArrayList<>();
    private final List<ServerSetup.StartAction> startActions;
    /** Completes once the configuration is the one Helidon's registry gives out (see {@link Observability#warmUp}). */
    private final CompletableFuture<Void> configShared;

    private Assembly(Config config, ServerSetup setup, ShutdownConfig shutdownConfig, RestartConfig restartConfig,
                     ServerShutdown shutdown, CompletableFuture<Void> configShared) {
        this.config = config;
        this.configShared = configShared;
        this.shutdownConfig = shutdownConfig;
        this.restartConfig = restartConfig;
        this.shutdown = shutdown;
        this.startActions = List.copyOf(setup.startActions());
        this.output = new ReportOutput(shutdownConfig.reportFile(), System.err, true);
        this.server = buildServer(setup);
        ShutdownCoordinator.Builder coordinatorBuilder = ShutdownCoordinator.builder().config(shutdownConfig);
        shutdown.participants(server).forEach(coordinatorBuilder::add);
        setup.participants().forEach(coordinatorBuilder::add);
        ClassLoader plugins = Plugins.loader(Path.of(config.get(PLUGINS_DIR).asString().orElse("plugins")));
        this.coordinator = coordinatorBuilder.discover(plugins).build();
    }

    /**
     * Loads the configuration, runs the service's setup steps, builds the server and the plan.
     *
     * @param spec          the service
     * @param configFile    the {@code --config} argument
     * @param warmUp        for a process of its own ({@link ProcessOwner}), Helidon's registries being built in the
     *                      background ({@link Observability#warmUp()}), handed the configuration once it is loaded;
     *                      {@code null} for an embedded start, which, in a Helidon context of its caller's, builds
     *                      them on its own thread
     * @throws StartupException naming what is wrong
     */
    static Assembly assemble(GracefulServer spec, Optional<String> configFile, Observability.WarmUp warmUp) {
        try {
            if (spec.config().isPresent() && configFile.isPresent()) {
                throw StartupException.invalidConfig("--config '" + configFile.get()
                        + "' given, but this service is built with its configuration in code", null);
            }
            Config config = spec.config().orElseGet(() -> ConfigLookup.load(configFile));
            CompletableFuture<Void> configShared = CompletableFuture.completedFuture(null);
            if (warmUp != null) {
                warmUp.configLoaded(config);
                configShared = warmUp.shared();
            }
            ShutdownConfig shutdownConfig = ShutdownConfigs.from(config);
            RestartConfig restartConfig = RestartConfig.from(config);
            ServerShutdown shutdown = new ServerShutdown(shutdownConfig).restartDelay(restartConfig.handOverDelay());
            ServerSetup setup = new ServerSetup(config, shutdown.streams());
            spec.steps().forEach(step -> step.accept(setup));
            return new Assembly(config, setup, shutdownConfig, restartConfig, shutdown, configShared);
        } catch (ConfigException | IllegalArgumentException e) {
            // ShutdownConfigException is an IllegalArgumentException
            throw StartupException.invalidConfig(e.getMessage(), e);
        } catch (StartupException e) {
            throw e;
        } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
            // LinkageError: a class of the service or of a plugin failed to load or to initialise;
            // ServiceConfigurationError: a provider that Helidon's service loader found could not be made
            throw StartupException.cannotStart(StartupException.describe(e), e);
        }
    }

    private WebServer buildServer(ServerSetup setup) {
        WebServerConfig.Builder builder = WebServer.builder()
                .config(config.get("server"))
                .featuresDiscoverServices(false);
        builder.addFeature(Observability.feature(config, shutdown, setup.healthChecks(), gauges, configShared));
        List<Consumer<HttpRouting.Builder>> defaultRouting = new ArrayList<>(
                setup.routings().getOrDefault(WebServer.DEFAULT_SOCKET_NAME, List.of()));
        defaultRouting.add(r -> r.get(SHUTDOWN_VIEW, (req, res) -> res.header(HeaderValues.CONTENT_TYPE_JSON)
                .send(shutdownState())));
        builder.routing(r -> defaultRouting.forEach(c -> c.accept(r)));
        setup.routings().forEach((socket, routings) -> {
            if (!socket.equals(WebServer.DEFAULT_SOCKET_NAME)) {
                builder.routing(socket, r -> routings.forEach(c -> c.accept(r)));
            }
        });
        if (!setup.webSockets().isEmpty()) {
            WsRouting.Builder ws = WsRouting.builder();
            setup.webSockets().forEach((path, listener) -> ws.endpoint(path, shutdown.streams().webSocket(listener)));
            builder.addRouting(ws);
        }
        setup.serverCustomizers().forEach(c -> c.accept(builder));
        shutdown.configure(builder);
        noDelayByDefault(builder);
        // A restarting copy binds the same ports while this process still serves; PortLock keeps them exclusive.
        builder.putListenerSocketOption(StandardSocketOptions.SO_REUSEPORT, true);
        Map<String, ListenerConfig> sockets = Map.copyOf(builder.sockets());
        sockets.forEach((name, socket) -> builder.putSocket(name, ListenerConfig.builder()
                .from(socket)
                .putListenerSocketOption(StandardSocketOptions.SO_REUSEPORT, true)
                .build()));
        return builder.build();
    }

    /**
     * Sets {@code TCP_NODELAY} on accepted connections of every listener whose {@code connection-options} do not set
     * {@code tcp-no-delay}: without it, Nagle's algorithm holds back a small write (an HTTP/2 frame after its headers)
     * until the peer's delayed ACK, about 40 ms, on every such response.
     */
    private void noDelayByDefault(WebServerConfig.Builder builder) {
        if (!config.get("server.connection-options.tcp-no-delay").exists()) {
            builder.connectionOptions(noDelay(builder.connectionOptions()));
        }
        Set<String> configured = new HashSet<>();
        config.get("server.sockets").asNodeList().orElse(List.of()).forEach(socket -> {
            if (socket.get("connection-options.tcp-no-delay").exists()) {
                configured.add(socket.get("name").asString().orElse(""));
            }
        });
        Map.copyOf(builder.sockets()).forEach((name, socket) -> {
            if (!configured.contains(name)) {
                builder.putSocket(name, ListenerConfig.builder().from(socket)
                        .connectionOptions(noDelay(Optional.of(socket.connectionOptions()))).build());
            }
        });
    }

    private static SocketOptions noDelay(Optional<SocketOptions> options) {
        return options.map(o -> SocketOptions.builder().from(o)).orElseGet(SocketOptions::builder).tcpNoDelay(true).build();
    }

    /** The read-only shutdown view: state and the resolved plan; never a trigger. */
    private String shutdownState() {
        String state = coordinator.report().isPresent() ? "stopped" : stopping.get() ? "stopping" : "serving";
        JsonObject.Builder view = JsonObject.builder()
                .set("state", state)
                .set("pid", ProcessHandle.current().pid())
                .set("plan", JsonParser.create(ShutdownRendering.json(coordinator.plan())).readJsonObject());
        coordinator.report().ifPresent(r -> view.set("report",
                                                     JsonParser.create(ReportOutput.jsonLine(r)).readJsonObject()));
        return view.build().toString();
    }

    /**
     * Takes the port, runs the start-up actions, starts the server.
     *
     * @throws StartupException when the port is in use or an action fails
     */
    RunningServer start() {
        PortLock portLock = lockPort();
        try {
            for (ServerSetup.StartAction action : startActions) {
                try {
                    action.run();
                } catch (Exception e) {
                    throw StartupException.cannotStart(StartupException.describe(e), e);
                }
            }
            server.start();
            if (!server.isRunning()) {
                throw notStarted();
            }
        } catch (RuntimeException e) {
            if (portLock != null) {
                portLock.release();
            }
            throw e instanceof StartupException se ? se : StartupException.cannotStart(e.toString(), e);
        }
        return new RunningServer(this, portLock);
    }

    private PortLock lockPort() {
        int port = server.prototype().port();
        if (port <= 0) {
            return null;
        }
        try {
            return PortLock.acquire(port, Optional.ofNullable(System.getenv(PortLock.TOKEN_ENV)));
        } catch (PortLock.PortInUseException e) {
            throw new StartupException(ExitCode.STARTUP_FAILED, "cannot start on " + server.prototype().host() + ":"
                    + port + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // OverlappingFileLockException: another service in this JVM holds the port
            throw StartupException.cannotStart("the port lock " + PortLock.fileFor(port) + " is not usable: " + e, e);
        }
    }

    private StartupException notStarted() {
        List<ListenerConfig> listeners = new ArrayList<>();
        listeners.add(server.prototype());
        listeners.addAll(server.prototype().sockets().values());
        for (ListenerConfig listener : listeners) {
            if (portInUse(listener.address(), listener.port())) {
                return new StartupException(ExitCode.STARTUP_FAILED, "cannot start on " + listener.host() + ":"
                        + listener.port() + ": port " + listener.port() + " is already in use", null);
            }
        }
        return new StartupException(ExitCode.STARTUP_FAILED, "cannot start on " + server.prototype().host() + ":"
                + server.prototype().port() + ": the server did not start (see the log above)", null);
    }

    private static boolean portInUse(InetAddress address, int port) {
        if (port <= 0) {
            return false;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(address, port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
