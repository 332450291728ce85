package dev.graceful.helidon;

import java.time.Duration;
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
 * connection has ended. {@link #stopped()} completes then; the drain waits for it.
 */
public final class ListenerStopParticipant implements ShutdownParticipant {

    /** The participant's name. */
    public static final String NAME = "listener";

    private static final Duration LISTENER_EXIT_BOUND = Duration.ofSeconds(2);

    private final WebServer server;
    private final OpenConnections connections;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    /**
     * Creates the participant.
     *
     * @param server      the server whose listener closes
     * @param connections the tracker of its connections
     */
    public ListenerStopParticipant(WebServer server, OpenConnections connections) {
        this.server = Objects.requireNonNull(server, "server");
        this.connections = Objects.requireNonNull(connections, "connections");
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
        connections.stopAccepting();
        context.record("open-connections", connections.size());
        Thread listener = listenerThread();
        Thread.ofPlatform().name("graceful-server-stop").daemon(true).start(() -> {
            try {
                server.stop();
                stopped.complete(null);
            } catch (Throwable t) {
                stopped.completeExceptionally(t);
            }
        });
        if (listener != null) {
            // Connections the kernel completes while the listener thread is still in accept() would be lost if
            // the drain finished before it returned.
            Duration bound = context.remaining().compareTo(LISTENER_EXIT_BOUND) < 0
                    ? context.remaining() : LISTENER_EXIT_BOUND;
            listener.join(bound);
        }
    }

    private static Thread listenerThread() {
        // Helidon names the platform thread that accepts connections "server-<socket>-listener".
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("server-") && t.getName().endsWith("-listener")) {
                return t;
            }
        }
        return null;
    }
}
