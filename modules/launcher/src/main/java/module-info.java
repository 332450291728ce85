/**
 * The entry point a service's {@code main} calls: {@link dev.graceful.launcher.GracefulServer} owns the process
 * (configuration, signals, restart, the report and the exit code), and {@code server.features.graceful}
 * ({@link dev.graceful.launcher.GracefulFeature}) is the lighter form for a plain Helidon {@code main}.
 *
 * <p>On JDK 22 and later the multi-release jar's Java 22 classes use the Foreign Function API (the service manager's
 * datagram socket, the restart's socket steering, the fast exit); they need native access, which a jar grants with
 * {@code Enable-Native-Access: ALL-UNNAMED} on the class path, where services built with graceful run.
 */
module dev.graceful.launcher {
    requires transitive dev.graceful.helidon;
    requires io.helidon;
    requires io.helidon.common.socket;
    requires io.helidon.json;
    requires io.helidon.logging.common;
    requires io.helidon.metrics.api;
    requires io.helidon.service.registry;
    requires io.helidon.webserver.observe;
    requires io.helidon.webserver.observe.health;
    requires io.helidon.webserver.observe.metrics;
    requires io.helidon.config.yaml;
    requires jdk.unsupported;

    exports dev.graceful.launcher;

    provides io.helidon.webserver.spi.ServerFeatureProvider with dev.graceful.launcher.GracefulFeatureProvider;
}
