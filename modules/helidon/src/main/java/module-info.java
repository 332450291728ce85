/**
 * Graceful shutdown for the Helidon SE 4 WebServer: the in-flight request filter, the connection tracking, the
 * long-lived streams' wind-down, the readiness gate and the built-in participants, assembled by
 * {@link dev.graceful.helidon.ServerShutdown}.
 *
 * <p>A few reaches into Helidon's internals ({@code GoAway}, {@code ConnectionSockets}, {@code ListenerStops},
 * {@code ListenerThreads}) use reflection on classes of the server's modules. Each checks itself at start-up and
 * falls back to Helidon's public behaviour with one warning when it cannot reach what it needs. They are made for
 * the class path, where services built with graceful run; on the module path, the packages they reach must be
 * opened to this module.
 */
module dev.graceful.helidon {
    requires transitive dev.graceful.core;
    requires transitive io.helidon.config;
    requires transitive io.helidon.webserver;
    requires transitive io.helidon.webserver.websocket;
    requires transitive io.helidon.health;
    requires io.helidon.webserver.http2;
    requires io.helidon.http.http2;
    requires java.logging;

    exports dev.graceful.helidon;
}
