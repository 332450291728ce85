package dev.graceful.helidon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

import io.helidon.webserver.WebServer;

/**
 * The built-in {@code listener} participant ({@link ShutdownPhase#STOP_ACCEPTING}): closes the listening socket so
 * that new connects are refused, and hands open connections to {@link OpenConnections}, which closes idle ones.
 *
 * <p>It starts Helidon's own {@link WebServer#stop()} on a thread of its own; that call returns once every
 * connection has ended. {@link #stopped()} completes then; the drain waits for it. A server with named sockets has
 * every listener stopped at the same moment first ({@link ListenerStops}): Helidon alone would close them one by one,
 * each after the one before it had drained.
 */
public final class ListenerStopParticipant implements ShutdownParticipant {

    /** The participant's name. */
    public static final String NAME = "listener";

    /**
     * The setting that bounds, once the listener has closed, how long a connection may take to complete a request head
     * it has started ({@code shutdown.participants.listener.settings.incomplete-head-timeout}).
     */
    public static final String INCOMPLETE_HEAD_SETTING = "incomplete-head-timeout";
    /** The default of {@link #INCOMPLETE_HEAD_SETTING}. */
    public static final Duration DEFAULT_INCOMPLETE_HEAD = Duration.ofSeconds(1);
    /**
     * The setting that bounds, while serving, how long a connection may take to complete a request head once its
     * request line has arrived ({@code shutdown.participants.listener.settings.read-header-timeout}): the listener
     * owns closing connections, at shutdown and before it.
     */
    public static final String READ_HEADER_SETTING = "read-header-timeout";
    /**
     * The setting of how long a connection must sit idle during shutdown before it is closed
     * ({@code shutdown.participants.listener.settings.idle-grace}, default {@link OpenConnections#IDLE_GRACE}).
     */
    public static final String IDLE_GRACE_SETTING = "idle-grace";
    /**
     * The setting of how long after the stop began a server that has seen no request enter routing closes its idle
     * pooled connections without waiting for the idle grace
     * ({@code shutdown.participants.listener.settings.quiet-close}, default {@link OpenConnections#QUIET_CLOSE}).
     */
    public static final String QUIET_CLOSE_SETTING = "quiet-close";
    /** The default of {@link #READ_HEADER_SETTING}. */
    public static final Duration DEFAULT_READ_HEADER = Duration.ofSeconds(10);

    private static final Duration LISTENER_EXIT_BOUND = Duration.ofSeconds(2);
    /** How often same-named listener threads are looked at when another server's has the same name. */
    private static final Duration GROUP_POLL = Duration.ofMillis(2);

    private final WebServer server;
    private final OpenConnections connections;
    private final InFlightRequests requests;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /**
     * Creates the participant.
     *
     * @param server      the server whose listener closes
     * @param connections the tracker of its connections
     * @param requests    the in-flight filter, switched to {@code Connection: close} once the listener is closed
     */
    public ListenerStopParticipant(WebServer server, OpenConnections connections, InFlightRequests requests) {
        this.server = Objects.requireNonNull(server, "server");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.requests = Objects.requireNonNull(requests, "requests");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ShutdownPhase phase() {
        return ShutdownPhase.STOP_ACCEPTING;
    }

    /**
     * Reads {@link #INCOMPLETE_HEAD_SETTING}.
     *
     * @param config the shutdown configuration
     * @return the bound, {@link #DEFAULT_INCOMPLETE_HEAD} when not set
     * @throws dev.graceful.ShutdownConfigException naming the key when the value is not a positive duration
     */
    public static Duration incompleteHeadTimeout(dev.graceful.ShutdownConfig config) {
        return config.durationSetting(NAME, INCOMPLETE_HEAD_SETTING, DEFAULT_INCOMPLETE_HEAD);
    }

    /**
     * Reads {@link #IDLE_GRACE_SETTING}.
     *
     * @param config the shutdown configuration
     * @return the grace, {@link OpenConnections#IDLE_GRACE} when not set
     * @throws dev.graceful.ShutdownConfigException naming the key when the value is not a positive duration
     */
    public static Duration idleGrace(dev.graceful.ShutdownConfig config) {
        return config.durationSetting(NAME, IDLE_GRACE_SETTING, OpenConnections.IDLE_GRACE);
    }

    /**
     * Reads {@link #QUIET_CLOSE_SETTING}.
     *
     * @param config the shutdown configuration
     * @return the quiet, {@link OpenConnections#QUIET_CLOSE} when not set
     * @throws dev.graceful.ShutdownConfigException naming the key when the value is not a positive duration
     */
    public static Duration quietClose(dev.graceful.ShutdownConfig config) {
        return config.durationSetting(NAME, QUIET_CLOSE_SETTING, OpenConnections.QUIET_CLOSE);
    }

    /**
     * Reads {@link #READ_HEADER_SETTING}.
     *
     * @param config the shutdown configuration
     * @return the bound, {@link #DEFAULT_READ_HEADER} when not set
     * @throws dev.graceful.ShutdownConfigException naming the key when the value is not a positive duration
     */
    public static Duration readHeaderTimeout(dev.graceful.ShutdownConfig config) {
        return config.durationSetting(NAME, READ_HEADER_SETTING, DEFAULT_READ_HEADER);
    }

    /**
     * Returns a future that completes when the server has stopped: its listener closed and every connection ended.
     *
     * @return the future
     */
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    @Override
    public void shutdown(ShutdownContext context) throws InterruptedException {
        // Must precede stop(): from here on Helidon's close-when-idle cannot cut a request that is on its way.
        connections.beginShutdown();
        context.record("open-connections", connections.size());
        List<List<Thread>> listeners = ListenerThreads.of(server);
        Thread.ofPlatform().name("graceful-server-stop").daemon(true).start(() -> {
            try {
                stopListenersTogether();
                server.stop();
                stopped.complete(null);
            } catch (Throwable t) {
                stopped.completeExceptionally(t);
            }
        });
        // Connections the kernel completes while a listener thread is still in accept() would be lost if the drain
        // finished before it returned.
        Duration bound = context.remaining().compareTo(LISTENER_EXIT_BOUND) < 0
                ? context.remaining() : LISTENER_EXIT_BOUND;
        try {
            awaitOneExitEach(listeners, bound);
        } finally {
            // Only now (if the readiness phase has not already): responses carry Connection: close, so clients
            // reconnect when new connects are refused cleanly instead of racing the listener's close. Also when
            // this participant's budget ran out while it waited.
            requests.closeConnections();
        }
    }

    /**
     * With named sockets, stops every listener at once, so that each closes its accepting socket now instead of
     * after the one before it has drained ({@link ListenerStops}); returns once each has stopped.
     */
    private void stopListenersTogether() throws InterruptedException {
        if (server.prototype().sockets().isEmpty()) {
            return;
        }
        List<Thread> stops = new ArrayList<>();
        for (Runnable stop : ListenerStops.of(server)) {
            stops.add(Thread.ofPlatform().name("graceful-listener-stop").daemon(true).start(stop));
        }
        for (Thread t : stops) {
            t.join();
        }
    }

    /**
     * Waits, within the bound, until one thread of each group has ended. Of same-named threads only the one this
     * server's stop ends is waited for, so another server's listener never holds the shutdown up.
     */
    private static void awaitOneExitEach(List<List<Thread>> groups, Duration bound) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        for (List<Thread> group : groups) {
            while (group.stream().allMatch(Thread::isAlive)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                if (group.size() == 1) {
                    group.getFirst().join(Duration.ofNanos(left));
                } else {
                    group.getFirst().join(Duration.ofNanos(Math.min(left, GROUP_POLL.toNanos())));
                }
            }
        }
    }
}
