package dev.graceful.launcher;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import dev.graceful.helidon.ServerShutdown;

import io.helidon.config.Config;
import io.helidon.health.HealthCheck;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Meter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Metrics;
import io.helidon.service.registry.GlobalServiceRegistry;
import io.helidon.service.registry.Services;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.helidon.webserver.observe.spi.Observer;

/**
 * The observe endpoints of a graceful service: health with the readiness gate next to the service's own checks, and,
 * unless {@code app.metrics.enabled} is {@code false}, metrics with the kit's gauges. The {@code server.features.observe}
 * node configures the feature (for example its {@code sockets}, to serve it on an admin listener only).
 */
final class Observability {

    /**
     * The logger, looked up on first use: the first {@code System.getLogger} of a process finds the logger finder
     * among every jar of the class path (about 50 ms), which {@link #warmUp()} must not wait for.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(Observability.class.getName());
    }

    static final String METRICS_ENABLED = "app.metrics.enabled";

    private Observability() {
    }

    /**
     * Starts building Helidon's service registry in the background, from the very start of a process, while its
     * configuration loads (each takes tens of milliseconds; the health and metrics observers need the registry).
     * Once {@link WarmUp#configLoaded} hands it the configuration, it makes that the one the registry gives out, which
     * is where Helidon's metrics read their {@code metrics} settings (without it they read a second configuration of
     * Helidon's own defaults, built for that alone, and a {@code metrics} section in the service's file was ignored),
     * and, with metrics on, builds the metrics registry: a quarter of a second of CPU that the server's start need
     * not wait for. With {@code app.metrics.enabled: false} nothing of graceful's needs that.
     *
     * @return the warm-up, to be handed the configuration
     */
    static WarmUp warmUp() {
        WarmUp warmUp = new WarmUp();
        Thread.ofPlatform().daemon(true).name("graceful-registry-init").start(warmUp::run);
        return warmUp;
    }

    /** The background start of Helidon's registries (see {@link #warmUp()}). */
    static final class WarmUp {
        private final CompletableFuture<Config> config = new CompletableFuture<>();
        private final CompletableFuture<Void> shared = new CompletableFuture<>();

        private WarmUp() {
        }

        /** Hands over the service's configuration. */
        void configLoaded(Config loaded) {
            config.complete(loaded);
        }

        /**
         * Completes once the configuration is the one Helidon's registry gives out (or could not be made so):
         * {@link #feature} waits for it, so that the server's own use of the registry cannot come first.
         */
        CompletableFuture<Void> shared() {
            return shared;
        }

        private void run() {
            Config loaded;
            try {
                GlobalServiceRegistry.registry();
                loaded = config.join();
                share(loaded);
            } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
                // the registry cannot be built: the main thread meets the same error building the server, and
                // reports it as a failed start
                Log.LOG.log(System.Logger.Level.DEBUG, "Helidon's service registry could not be built", e);
                return;
            } finally {
                shared.complete(null);
            }
            if (metricsEnabled(loaded)) {
                try {
                    Metrics.globalRegistry();
                } catch (RuntimeException | LinkageError | ServiceConfigurationError e) {
                    // for example a configured metrics publisher whose jar is missing: the main thread meets the
                    // same error as it adds the metrics endpoint, and reports it as a failed start
                    Log.LOG.log(System.Logger.Level.DEBUG, "Helidon's metrics registry could not be built", e);
                }
            }
        }
    }

    private static void share(Config config) {
        try {
            Services.set(Config.class, config);
        } catch (RuntimeException e) {
            // something asked the registry for a configuration first, or the registry refuses late binding
            System.Logger.Level level = config.get("metrics").exists()
                    ? System.Logger.Level.WARNING
                    : System.Logger.Level.DEBUG;
            Log.LOG.log(level, "The metrics section of the configuration is not used: Helidon's service registry "
                    + "had already given out a configuration (" + e.getMessage() + ")");
        }
    }

    static boolean metricsEnabled(Config root) {
        return root.get(METRICS_ENABLED).asBoolean().orElse(true);
    }

    /**
     * Builds the observe feature; with metrics on, also registers the kit's gauges, adding each to {@code gauges}
     * so that {@link #unregister} can remove them once the server has stopped.
     */
    static ObserveFeature feature(Config root, ServerShutdown shutdown, List<HealthCheck> checks, List<Meter> gauges,
                                  CompletableFuture<Void> configShared) {
        configShared.join();
        List<Observer> observers = new ArrayList<>();
        observers.add(HealthObserver.builder()
                              .addCheck(shutdown.readiness())
                              .update(b -> checks.forEach(b::addCheck))
                              .build());
        // Helidon's metrics feature adds a per-request filter of its own (request counters and a request
        // context): about a tenth of the throughput of a trivial handler. app.metrics.enabled=false drops it.
        if (metricsEnabled(root)) {
            observers.add(MetricsObserver.create());
            gauges(shutdown, gauges);
        }
        Config node = root.get("server.features.observe");
        return ObserveFeature.builder()
                .update(b -> {
                    if (node.exists()) {
                        b.config(node);
                    }
                })
                .observersDiscoverServices(false)
                .observers(observers)
                .build();
    }

    /** Removes the gauges of a stopped server from the global registry. */
    static void unregister(List<Meter> gauges) {
        // none registered (metrics off): the registry is not built just to remove nothing from it
        if (!gauges.isEmpty()) {
            gauges.forEach(Metrics.globalRegistry()::remove);
        }
    }

    private static void gauges(ServerShutdown shutdown, List<Meter> out) {
        out.add(gauge("graceful.requests.in-flight", "HTTP requests whose handling has started and not ended",
                      () -> shutdown.requests().inFlight()));
        out.add(gauge("graceful.connections.open", "Open HTTP connections", () -> shutdown.connections().size()));
        out.add(gauge("graceful.connections.closed-by-shutdown",
                      "Connections closed after their response because the server was stopping",
                      () -> shutdown.requests().closedByShutdown()));
        out.add(gauge("graceful.streams.sse", "Open server-sent event streams",
                      () -> shutdown.streams().sseStreams()));
        out.add(gauge("graceful.streams.websocket", "Open WebSocket sessions",
                      () -> shutdown.streams().webSocketSessions()));
    }

    private static Meter gauge(String name, String description, Supplier<Number> value) {
        MeterRegistry registry = Metrics.globalRegistry();
        // The registry is global: a gauge of an earlier server in this JVM (a test's) must not answer for this one.
        registry.meters(m -> m.id().name().equals(name)).forEach(registry::remove);
        return registry.getOrCreate(Gauge.builder(name, value).description(description));
    }
}
