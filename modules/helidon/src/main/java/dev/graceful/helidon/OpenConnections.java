package dev.graceful.helidon;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * Tracks the server's open connections so that shutdown closes them only when it is safe.
 *
 * <p>Helidon's stop closes every keep-alive connection that is waiting for its next request at once, which loses
 * a request the client has already sent (a race its own source admits). Connections handed out by
 * {@link #wrap(ServerConnectionSelector)} behave exactly like Helidon's until {@link #stopAccepting()}; from then on
 * they ignore Helidon's "close when idle" request, are never interrupted by its executor shutdown, and are closed
 * by this class instead: as soon as they are idle for a short grace ({@link #IDLE_GRACE}) with no request in
 * progress, or by {@link #abort()}. Thread-safe.
 */
public final class OpenConnections {

    /** How long a connection must sit idle during shutdown before it is closed. */
    public static final Duration IDLE_GRACE = Duration.ofMillis(200);

    private static final System.Logger LOG = System.getLogger(OpenConnections.class.getName());
    private static final long REAP_PERIOD_MILLIS = 20;

    private final Set<Tracked> live = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private final AtomicBoolean reaping = new AtomicBoolean();
    private volatile boolean stopping;

    /**
     * Creates an empty tracker.
     */
    public OpenConnections() {
    }

    /**
     * Wraps a connection selector so that the connections it creates are tracked here.
     *
     * @param delegate Helidon's selector, for example the HTTP/1.1 one
     * @return a selector that creates tracked connections
     */
    public ServerConnectionSelector wrap(ServerConnectionSelector delegate) {
        return new Selector(delegate);
    }

    /**
     * Returns the number of open connections.
     *
     * @return connections whose handling has started and not ended
     */
    public int size() {
        return live.size();
    }

    /**
     * Returns whether shutdown has taken over closing connections.
     *
     * @return {@code true} after {@link #stopAccepting()}
     */
    public boolean isStopping() {
        return stopping;
    }

    /**
     * Takes over closing connections: from now on Helidon's own "close when idle" is ignored, and idle connections
     * are closed once idle for {@link #IDLE_GRACE}, on a virtual thread that ends when none is left and starts again
     * for a connection accepted later (until the listener has closed).
     */
    public void stopAccepting() {
        if (stopping) {
            return;
        }
        stopping = true;
        reapIdle();
        startReaper();
    }

    /**
     * Returns a future that completes once shutdown has started and no connection is open.
     *
     * @return the future
     */
    public CompletableFuture<Void> allClosed() {
        return allClosed;
    }

    /**
     * Interrupts every connection's handler and closes its socket.
     *
     * @return how many connections were cut
     */
    public int abort() {
        List<Tracked> cut = List.copyOf(live);
        for (Tracked t : cut) {
            t.delegate.close(true);
        }
        return cut.size();
    }

    private void startReaper() {
        if (reaping.compareAndSet(false, true)) {
            Thread.ofVirtual().name("graceful-idle-connections").start(this::reapLoop);
        }
    }

    private void reapLoop() {
        try {
            do {
                while (!live.isEmpty()) {
                    Thread.sleep(REAP_PERIOD_MILLIS);
                    reapIdle();
                }
                reaping.set(false);
                // A connection added after the last look restarts the reaper itself; this catches one added between
                // that look and the flag.
            } while (!live.isEmpty() && reaping.compareAndSet(false, true));
        } catch (InterruptedException e) {
            reaping.set(false);
            Thread.currentThread().interrupt();
        }
        checkAllClosed();
    }

    private void reapIdle() {
        // Helidon's idleTime() has a resolution of one second, so a connection between two back-to-back requests
        // can look long idle; only idleness observed here, continuously for the grace, counts.
        long now = System.nanoTime();
        for (Tracked t : live) {
            if (!t.isIdle()) {
                t.idleSince = 0;
                continue;
            }
            if (t.idleSince == 0) {
                t.idleSince = now;
            } else if (now - t.idleSince >= IDLE_GRACE.toNanos()) {
                t.delegate.close(false);
            }
        }
    }

    private void checkAllClosed() {
        if (stopping && live.isEmpty()) {
            allClosed.complete(null);
        }
    }

    private final class Selector implements ServerConnectionSelector {
        private final ServerConnectionSelector delegate;

        Selector(ServerConnectionSelector delegate) {
            this.delegate = delegate;
        }

        @Override
        public int bytesToIdentifyConnection() {
            return delegate.bytesToIdentifyConnection();
        }

        @Override
        public Support supports(BufferData data) {
            return delegate.supports(data);
        }

        @Override
        public Set<String> supportedApplicationProtocols() {
            return delegate.supportedApplicationProtocols();
        }

        @Override
        public ServerConnection connection(ConnectionContext ctx) {
            return new Tracked(delegate.connection(ctx));
        }
    }

    /**
     * A tracked connection. Deliberately not an {@link InterruptableTask}: Helidon's executor shutdown then never
     * interrupts it mid-request.
     */
    private final class Tracked implements ServerConnection {
        private final ServerConnection delegate;
        private volatile long idleSince;

        Tracked(ServerConnection delegate) {
            this.delegate = delegate;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            live.add(this);
            if (stopping) {
                // Accepted after shutdown began (the listener may still be in accept() for a few ms): the reaper may
                // already have found no connection and ended, and Helidon's own close-when-idle is ignored now.
                startReaper();
            }
            try {
                delegate.handle(limit);
            } finally {
                live.remove(this);
                checkAllClosed();
            }
        }

        @Override
        public Duration idleTime() {
            return delegate.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            if (interrupt || !stopping) {
                delegate.close(interrupt);
            } else {
                LOG.log(System.Logger.Level.TRACE, "Ignoring close-when-idle during shutdown; closed when idle");
            }
        }

        boolean isIdle() {
            return delegate instanceof InterruptableTask<?> task && task.canInterrupt();
        }
    }
}
