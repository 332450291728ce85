package dev.graceful.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import com.zaxxer.hikari.HikariDataSource;

import dev.graceful.Durations;
import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownConfigException;
import dev.graceful.ShutdownCoordinator;
import dev.graceful.ShutdownReason;
import dev.graceful.ShutdownReport;
import dev.graceful.helidon.ServerShutdown;
import dev.graceful.helidon.ShutdownConfigs;
import dev.graceful.spi.ShutdownParticipant;

import io.helidon.common.Weighted;
import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import io.helidon.http.HeaderValues;
import io.helidon.logging.common.LogConfig;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Metrics;
import io.helidon.spi.HelidonShutdownHandler;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.websocket.WsRouting;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The demo service: reads configuration, starts the server, and on SIGTERM or SIGINT runs the graceful shutdown
 * once, prints its report and exits with its code. A second SIGTERM or SIGINT forces it; {@code System.exit} from
 * elsewhere runs the same single sequence. SIGHUP restarts it with zero downtime ({@link Restart}).
 *
 * <p>Usage: {@code java -jar graceful-app.jar [--config PATH] [--print-plan[=json]]}.
 */
public final class Main {

    /** Environment variable naming the configuration file, as {@code --config} does. */
    public static final String CONFIG_ENV = "GRACEFUL_CONFIG";

    private static final String DEFAULT_CONFIG_FILE = "config/application.yaml";
    private static final long EXIT_WATCHDOG_MILLIS = 5_000;
    private static final String USAGE = "usage: graceful-app [--config PATH] [--print-plan[=json]]";

    private static final String DEFAULT_JDBC_URL = "jdbc:sqlite:data/events.db";

    private final AtomicBoolean stopping = new AtomicBoolean();
    private HikariDataSource dataSource;
    private EventBuffer events;
    private ClassLoader pluginLoader;
    private RestartConfig restartConfig;
    private PortLock portLock;
    private Restart restart;
    private ShutdownCoordinator coordinator;
    private ReportOutput output;

    private Main() {
    }

    /**
     * Starts the service; returns once it serves, or exits with a documented code when it cannot start.
     *
     * @param args {@code --config PATH}, {@code --print-plan} or {@code --print-plan=json}
     */
    public static void main(String[] args) {
        // The metrics registry takes a quarter of a second to build; build it while configuration is read.
        Thread.ofPlatform().daemon(true).name("graceful-metrics-init").start(Metrics::globalRegistry);
        LogConfig.configureRuntime();
        int code = new Main().start(args);
        if (code >= 0) {
            System.out.flush();
            System.err.flush();
            System.exit(code);
        }
        // Helidon's listener is the only non-daemon thread; once it closes, the JVM would start exiting by itself
        // in the middle of the drain. The process ends through System.exit after the report instead.
        try {
            new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns an exit code, or -1 when the server is up and serving. */
    private int start(String[] args) {
        Optional<String> configArg = Optional.empty();
        String printPlan = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config") && i + 1 < args.length) {
                configArg = Optional.of(args[++i]);
            } else if (a.startsWith("--config=")) {
                configArg = Optional.of(a.substring("--config=".length()));
            } else if (a.equals("--print-plan") || a.equals("--print-plan=table")) {
                printPlan = "table";
            } else if (a.equals("--print-plan=json")) {
                printPlan = "json";
            } else if (a.equals("--help") || a.equals("-h")) {
                System.out.println(USAGE);
                return ExitCode.CLEAN.code();
            } else {
                System.err.println("graceful: unknown argument '" + a + "'; " + USAGE);
                return ExitCode.USAGE.code();
            }
        }

        WebServer server;
        ShutdownConfig shutdownConfig;
        try {
            Config config = loadConfig(configArg);
            shutdownConfig = ShutdownConfigs.from(config);
            String greeting = config.get("app.greeting").asString().orElse("Hello from graceful");
            long maxWork = positiveLong(config, "app.work-max-ms", 60_000);
            String jdbcUrl = config.get("app.events.jdbc-url").asString().orElse(DEFAULT_JDBC_URL);
            int maxBody = (int) Math.min(Integer.MAX_VALUE - 1, positiveLong(config, "app.events.max-body-bytes",
                                                                             65_536));
            int capacity = (int) Math.min(Integer.MAX_VALUE, positiveLong(config, "app.events.buffer-capacity",
                                                                          100_000));
            dataSource = Database.dataSource(jdbcUrl);
            EventStore store = new EventStore(dataSource);
            events = new EventBuffer(store, capacity);
            EventBuffer buffer = events;
            pluginLoader = Plugins.loader(Path.of(config.get("app.plugins-dir").asString().orElse("plugins")));

            restartConfig = RestartConfig.from(config);
            ServerShutdown shutdown = new ServerShutdown(shutdownConfig).restartDelay(restartConfig.handOverDelay());
            WebServerConfig.Builder builder = WebServer.builder()
                    .config(config.get("server"))
                    .featuresDiscoverServices(false);
            shutdown.configure(builder);
            // A restarting copy binds the same port while this process still serves; PortLock keeps it exclusive.
            builder.putListenerSocketOption(StandardSocketOptions.SO_REUSEPORT, true);
            // Helidon's metrics feature adds a per-request filter of its own (request counters and a request
            // context): about a tenth of the throughput of a trivial handler. app.metrics.enabled=false drops it.
            boolean metrics = config.get("app.metrics.enabled").asBoolean().orElse(true);
            builder.addFeature(metrics
                    ? ObserveFeature.just(HealthObserver.create(shutdown.readiness()), MetricsObserver.create())
                    : ObserveFeature.just(HealthObserver.create(shutdown.readiness())));
            Metrics.globalRegistry().getOrCreate(
                    Gauge.builder("graceful.requests.in-flight", () -> shutdown.requests().inFlight())
                            .description("HTTP requests whose handling has started and not ended"));
            Metrics.globalRegistry().getOrCreate(
                    Gauge.builder("graceful.connections.open", () -> shutdown.connections().size())
                            .description("Open HTTP connections"));
            Metrics.globalRegistry().getOrCreate(
                    Gauge.builder("graceful.connections.closed-by-shutdown",
                                  () -> shutdown.requests().closedByShutdown())
                            .description("Connections closed after their response because the server was stopping"));
            Metrics.globalRegistry().getOrCreate(
                    Gauge.builder("graceful.streams.sse", () -> shutdown.streams().sseStreams())
                            .description("Open server-sent event streams"));
            Metrics.globalRegistry().getOrCreate(
                    Gauge.builder("graceful.streams.websocket", () -> shutdown.streams().webSocketSessions())
                            .description("Open WebSocket sessions"));
            EventFeed feed = new EventFeed();
            builder.routing(routing -> {
                routing.addFilter(shutdown.requests());
                new DemoRoutes(greeting, maxWork).register(routing);
                new EventRoutes(buffer, store, maxBody, feed, shutdown.streams()).register(routing);
                routing.get("/observe/shutdown", (req, res) -> res.header(HeaderValues.CONTENT_TYPE_JSON)
                        .send(shutdownState()));
            });
            builder.addRouting(WsRouting.builder()
                                       .endpoint("/ws/events", shutdown.streams().webSocket(feed.webSocket())));
            server = builder.build();

            ShutdownCoordinator.Builder coordinatorBuilder = ShutdownCoordinator.builder().config(shutdownConfig);
            for (ShutdownParticipant p : shutdown.participants(server)) {
                coordinatorBuilder.add(p);
            }
            coordinatorBuilder.add(new EventParticipants.Flush(events))
                    .add(new EventParticipants.Pool(dataSource));
            coordinator = coordinatorBuilder.discover(pluginLoader).build();
        } catch (ConfigException | IllegalArgumentException e) {
            // ShutdownConfigException is an IllegalArgumentException
            System.err.println("graceful: invalid configuration: " + e.getMessage());
            return ExitCode.INVALID_CONFIG.code();
        } catch (IllegalStateException e) {
            System.err.println("graceful: cannot start: " + e.getMessage());
            return ExitCode.STARTUP_FAILED.code();
        }

        if (printPlan != null) {
            System.out.print("json".equals(printPlan) ? coordinator.plan().toJson() + "\n" : coordinator.plan().toTable());
            return ExitCode.CLEAN.code();
        }

        output = new ReportOutput(shutdownConfig.reportFile(), System.err);
        int configuredPort = server.prototype().port();
        if (configuredPort > 0) {
            try {
                portLock = PortLock.acquire(configuredPort, Optional.ofNullable(System.getenv(PortLock.TOKEN_ENV)));
            } catch (PortLock.PortInUseException e) {
                System.err.println("graceful: cannot start on " + server.prototype().host() + ":" + configuredPort
                        + ": " + e.getMessage());
                return ExitCode.STARTUP_FAILED.code();
            } catch (IOException e) {
                System.err.println("graceful: cannot start: the port lock " + PortLock.fileFor(configuredPort)
                        + " is not usable: " + e);
                return ExitCode.STARTUP_FAILED.code();
            }
        }
        try {
            Database.prepare(dataSource);
            new EventStore(dataSource).createSchema();
        } catch (java.sql.SQLException | RuntimeException e) {
            System.err.println("graceful: cannot start: the events database " + dataSource.getJdbcUrl()
                    + " is not usable: " + e.getMessage());
            dataSource.close();
            return ExitCode.STARTUP_FAILED.code();
        }
        events.start();
        server.start();
        if (!server.isRunning()) {
            WebServerConfig prototype = server.prototype();
            String address = prototype.host() + ":" + prototype.port();
            String why = portInUse(prototype.address(), prototype.port())
                    ? "port " + prototype.port() + " is already in use"
                    : "the server did not start (see the log above)";
            System.err.println("graceful: cannot start on " + address + ": " + why);
            dataSource.close();
            return ExitCode.STARTUP_FAILED.code();
        }
        io.helidon.Main.addShutdownHandler(new ExitHook());
        restart = new Restart(restartConfig, portLock, this::handOver);
        handle("TERM", sig -> onStopSignal("TERM", ShutdownReason.SIGTERM));
        handle("INT", sig -> onStopSignal("INT", ShutdownReason.SIGINT));
        handle("HUP", sig -> restart.request());
        ProcessExit.prepare();
        Restart.announceReady();
        Restart.writePidFile(restartConfig.pidFile());
        System.err.println("graceful: serving on http://" + server.prototype().host() + ":" + server.port()
                + " (pid " + ProcessHandle.current().pid() + ", shutdown deadline "
                + Durations.format(shutdownConfig.deadline()) + ")");
        return -1;
    }

    /** The read-only shutdown view: state and the resolved plan; never a trigger. */
    private String shutdownState() {
        String state = coordinator.report().isPresent() ? "stopped" : stopping.get() ? "stopping" : "serving";
        return "{\"state\":\"" + state + "\",\"pid\":" + ProcessHandle.current().pid() + ",\"plan\":"
                + coordinator.plan().toJson() + coordinator.report().map(r -> ",\"report\":" + r.toJson()).orElse("")
                + "}";
    }

    private static Config loadConfig(Optional<String> configArg) {
        Optional<Path> explicit = configArg
                .or(() -> Optional.ofNullable(System.getenv(CONFIG_ENV)).filter(s -> !s.isBlank()))
                .map(Path::of);
        Config.Builder builder = Config.builder();
        if (explicit.isPresent()) {
            Path path = explicit.get();
            if (!Files.isRegularFile(path)) {
                throw new ShutdownConfigException("--config", path.toString(),
                                                  "the configuration file does not exist or is not a file");
            }
            builder.addSource(ConfigSources.file(path).optional(false));
        } else if (Files.isRegularFile(Path.of(DEFAULT_CONFIG_FILE))) {
            builder.addSource(ConfigSources.file(Path.of(DEFAULT_CONFIG_FILE)).optional(false));
        } else {
            builder.addSource(ConfigSources.classpath("application.yaml"));
        }
        return builder.build();
    }

    private static long positiveLong(Config config, String key, long defaultValue) {
        Optional<String> raw = config.get(key).asString().asOptional();
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(raw.get().strip());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ShutdownConfigException(key, raw.get(), "expected a positive whole number");
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

    private void handle(String signal, SignalHandler handler) {
        try {
            SignalHandler previous = Signal.handle(new Signal(signal), handler);
            if (previous == SignalHandler.SIG_IGN) {
                // A signal ignored at JVM start (nohup, "cmd &" from a script) stays ignored.
                System.err.println("graceful: SIG" + signal + " was ignored when the JVM started; it stays ignored");
                Signal.handle(new Signal(signal), SignalHandler.SIG_IGN);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("graceful: cannot handle SIG" + signal + " (-Xrs?): " + e.getMessage());
        }
    }

    private void onStopSignal(String signal, ShutdownReason reason) {
        if (!stopping.compareAndSet(false, true)) {
            System.err.println("graceful: second SIG" + signal + ": forcing the shutdown");
            coordinator.force();
            return;
        }
        System.err.println("graceful: SIG" + signal + " received: stopping gracefully within "
                + Durations.format(coordinator.config().deadline()));
        stopAndExit(reason);
    }

    /** Runs the graceful stop for a restart whose new process is ready; the first stop wins. */
    private void handOver() {
        if (stopping.compareAndSet(false, true)) {
            stopAndExit(ShutdownReason.RESTART);
        }
    }

    private void stopAndExit(ShutdownReason reason) {
        ShutdownReport report = coordinator.run(reason);
        output.publish(report);
        Restart.removePidFile(restartConfig.pidFile());
        exit(report.exitCode());
    }

    private static void exit(int code) {
        // Stuck non-daemon threads or another library's hook must not keep the process past the deadline.
        Thread.ofPlatform().daemon(true).name("graceful-exit-watchdog").start(() -> {
            try {
                Thread.sleep(EXIT_WATCHDOG_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(code);
        });
        ProcessExit.exit(code);
    }

    /** Runs the same single sequence when the JVM exits for any other reason, before Helidon's own handlers. */
    private final class ExitHook implements HelidonShutdownHandler, Weighted {
        @Override
        public void shutdown() {
            stopping.set(true);
            output.publish(coordinator.run(ShutdownReason.JVM_EXIT));
            Restart.removePidFile(restartConfig.pidFile());
        }

        @Override
        public double weight() {
            return 1000;
        }
    }
}
