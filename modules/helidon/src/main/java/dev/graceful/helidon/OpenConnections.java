package dev.graceful.helidon;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2Util;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1Connection;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.http2.Http2Connection;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

/**
 * Tracks the server's open connections so that shutdown closes them only when it is safe.
 *
 * <p>Helidon's stop closes every keep-alive connection that is waiting for its next request at once, which loses
 * a request the client has already sent (a race its own source admits). Connections handed out by
 * {@link #selector(ServerConnectionSelector, ServerConnectionSelector)} behave exactly like Helidon's until
 * {@link #beginShutdown()}; from then on they ignore Helidon's "close when idle" request, are never interrupted by its
 * executor shutdown, and are closed by this class instead: as soon as they are idle for a short grace
 * ({@link #IDLE_GRACE} by default) with no request in progress, or by {@link #abort()}. An HTTP/1.1 connection
 * seen idle for {@link #LONG_IDLE} before the stop, with no request in between, closes at once. An HTTP/2
 * connection gets a GOAWAY before this class closes it. Long-lived connections (a WebSocket session, registered
 * by {@link OpenStreams}) are never idle: the {@code streams} participant ends them.
 *
 * <p>An HTTP/1.1 connection that has started a request head and not finished it (its request line has arrived, no
 * request has entered routing since, and it is not waiting for a first line) is closed after
 * {@code read-header-timeout} while serving, and after the much shorter {@code incomplete-head-timeout} once shutdown
 * has taken over: such a client never delivered a request, so nothing is lost. The in-flight filter marks on each
 * connection when a request enters and leaves routing; a reaper thread looks at every connection every
 * {@value #SERVING_PERIOD_MILLIS} ms while serving and every {@value #REAP_PERIOD_MILLIS} ms during shutdown, and ends
 * when no connection is left. Thread-safe.
 */
public final class OpenConnections {

    /**
     * How long a connection must sit idle during shutdown before it is closed (see also {@link #LONG_IDLE}), unless
     * {@code shutdown.participants.listener.settings.idle-grace} says otherwise. A second, not less: with a thousand
     * busy keep-alive connections on two cores, a client starved of CPU let its connection sit idle for several
     * hundred milliseconds before its next request, and 200 ms closed 500 of them under that request.
     */
    public static final Duration IDLE_GRACE = Duration.ofSeconds(1);
    /**
     * A connection seen idle this long before the stop began, with no request in between, is closed as soon as the
     * stop begins (unless the grace is longer): far beyond the idleness a starved client's busy connection shows.
     */
    public static final Duration LONG_IDLE = Duration.ofSeconds(5);
    /**
     * How long after the stop began the server must have been quiet (no request in routing at any of the reaper's
     * looks, none entering routing on any connection) before its idle HTTP/1.1 connections that have served a request
     * are closed without waiting for the idle grace, unless {@code shutdown.participants.listener.settings.quiet-close}
     * says otherwise. A server whose clients were busy has requests in routing at its stop or sees them arrive in its
     * first milliseconds, and keeps the grace for the connections of clients that are slow to send; one that sees none
     * is idle, and its connections are a pool's idle connections.
     */
    public static final Duration QUIET_CLOSE = Duration.ofMillis(30);

    private static final System.Logger LOG = System.getLogger(OpenConnections.class.getName());
    private static final long REAP_PERIOD_MILLIS = 10;
    /**
     * The looks at the connections, at least half a reaper period apart, that must see the server quiet; after a gap of
     * 60 ms (the whole process paused, or starved of CPU) the count starts over, so a pause in which no client could be
     * seen sending never passes for a quiet.
     */
    private static final int QUIET_LOOKS = 2;
    private static final long LOOK_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(REAP_PERIOD_MILLIS) / 2;
    private static final long LOOK_GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(60);
    private static final long SERVING_PERIOD_MILLIS = 500;
    /** How long an idle connection that was sent FIN may take to answer with its own before it is closed. */
    private static final long IDLE_FIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * The same for a client on this host (a loopback address, or the connection's own local address: a proxy or
     * sidecar beside the service): its round trip is the kernel's, microseconds, so the next look closes it.
     */
    private static final long LOCAL_FIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(REAP_PERIOD_MILLIS) / 2;
    /** 2^31-1: the stream id of the first, refusing-nothing GOAWAY. */
    private static final int MAX_STREAM_ID = Integer.MAX_VALUE;
    private static final byte[] HTTP2_PREFACE = prefaceBytes();

    private final Set<Tracked> live = ConcurrentHashMap.newKeySet();
    private final Map<String, Tracked> bySocket = new ConcurrentHashMap<>();
    private final ThreadLocal<Tracked> current = new ThreadLocal<>();
    private final AtomicBoolean reaping = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile long stoppedAtNanos;
    private volatile boolean goingAway;
    private volatile long incompleteHeadNanos = ListenerStopParticipant.DEFAULT_INCOMPLETE_HEAD.toNanos();
    private volatile long readHeaderNanos = ListenerStopParticipant.DEFAULT_READ_HEADER.toNanos();
    private volatile Thread reaper;
    private volatile long idleGraceNanos = IDLE_GRACE.toNanos();
    private volatile long quietCloseNanos = QUIET_CLOSE.toNanos();
    /**
     * Whether, since the stop began, a request has entered routing on any connection, or a look at the connections saw
     * one in routing: the server is not quiet.
     */
    private volatile boolean busySinceStop;
    /** The looks that saw the server quiet, and when the last one was; guarded by {@code this}. */
    private int quietLooks;
    private long lastLookNanos;
    private volatile long goAwayGraceNanos = StreamsParticipant.DEFAULT_GOAWAY_GRACE.toNanos();
    private final java.util.concurrent.atomic.AtomicLong incompleteHeadsClosed =
            new java.util.concurrent.atomic.AtomicLong();

    /**
     * Creates an empty tracker.
     */
    public OpenConnections() {
    }

    /**
     * Creates the one connection selector of a listener: each new connection is tracked here from its first moment
     * and, once its first bytes have arrived, handled by HTTP/2 (prior knowledge, when they are the HTTP/2 preface) or
     * by HTTP/1.1 (everything else, including its upgrades to WebSocket and h2c). One selector, not two, because
     * Helidon waits for the first bytes of a connection outside any connection when it has several selectors to
     * choose from, and such a connection then holds its stop until the grace period ends.
     *
     * @param http1 Helidon's HTTP/1.1 selector, with its upgraders
     * @param http2 Helidon's HTTP/2 selector
     * @return a selector that creates tracked connections
     */
    public ServerConnectionSelector selector(ServerConnectionSelector http1, ServerConnectionSelector http2) {
        return new Selector(http1, http2);
    }

    /**
     * Wraps an HTTP/1.1 upgrader, such as h2c, so that the connection it upgrades to is known here (its idleness and
     * its GOAWAY), and so that no connection upgrades once HTTP/2 connections are being sent GOAWAY.
     *
     * @param upgrader Helidon's upgrader
     * @return the tracking upgrader
     */
    Http1Upgrader tracking(Http1Upgrader upgrader) {
        return new TrackingUpgrader(upgrader);
    }

    /**
     * Sets how long, once shutdown has taken over closing connections, an HTTP/1.1 connection may take to complete a
     * request head it has started (a partial request line or headers, as a slowloris client sends them). No request
     * of it has been accepted, so closing it loses nothing; without a bound it would hold the drain until its end.
     *
     * @param timeout the bound
     */
    void incompleteHeadTimeout(Duration timeout) {
        incompleteHeadNanos = timeout.toNanos();
    }

    /**
     * Sets how long, while serving, an HTTP/1.1 connection may take to complete a request head once its request line
     * has arrived, as Go's {@code ReadHeaderTimeout} does; then it is closed. A connection still in its request line
     * looks idle from here, so Helidon's {@code idle-connection-timeout} bounds that part.
     *
     * @param timeout the bound
     */
    void readHeaderTimeout(Duration timeout) {
        readHeaderNanos = timeout.toNanos();
    }

    /**
     * Sets how long a connection must sit idle during shutdown before it is closed.
     *
     * @param grace the time
     */
    void idleGrace(Duration grace) {
        idleGraceNanos = grace.toNanos();
    }

    /**
     * Sets how long after the stop began no request may have entered routing on any connection for the server to be
     * taken as quiet, its idle connections then closed without waiting for the idle grace ({@link #QUIET_CLOSE}). At
     * the idle grace or longer, the grace alone decides: that turns the early close off.
     *
     * @param quiet the quiet that closes idle connections early
     */
    void quietClose(Duration quiet) {
        quietCloseNanos = quiet.toNanos();
    }

    /**
     * Sets how long an HTTP/2 connection's graceful GOAWAY waits between its first GOAWAY (refusing nothing) and its
     * final one (refusing streams above the highest id seen).
     *
     * @param grace the wait
     */
    void goAwayGrace(Duration grace) {
        goAwayGraceNanos = grace.toNanos();
    }

    /**
     * Returns how many connections were closed during shutdown because their request head stayed incomplete.
     *
     * @return the count
     */
    public long incompleteHeadsClosed() {
        return incompleteHeadsClosed.get();
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
     * Returns whether every open connection is idle: none with a request in routing or a request head arriving.
     * A client has its response before the server's thread has left routing, and a look at the connections as the
     * stop begins that sees a request in routing counts the server as busy; a test of a quiet server waits for this.
     *
     * @return {@code true} when no connection is busy
     */
    boolean allIdle() {
        for (Tracked t : live) {
            if (!t.isIdle()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns whether shutdown has taken over closing connections.
     *
     * @return {@code true} after {@link #beginShutdown()}
     */
    public boolean isStopping() {
        return stopping;
    }

    /**
     * Takes over closing connections: from now on Helidon's own "close when idle" is ignored, and idle connections
     * are closed once idle for the idle grace (or, for connections that have served a request, once the server has
     * been quiet for {@link #QUIET_CLOSE} since now), on a virtual thread that ends when none is left and starts
     * again for a connection accepted later (until the listener has closed).
     */
    public void beginShutdown() {
        if (stopping) {
            return;
        }
        stoppedAtNanos = System.nanoTime();
        stopping = true;
        reap();
        startReaper();
        // the reaper may be in its long serving-time sleep
        Thread r = reaper;
        if (r != null) {
            LockSupport.unpark(r);
        }
    }

    /**
     * Interrupts every connection's handler and closes its socket.
     *
     * @return how many connections were cut
     */
    public int abort() {
        List<Tracked> cut = List.copyOf(live);
        for (Tracked t : cut) {
            t.closeNow();
        }
        return cut.size();
    }

    /**
     * Sends GOAWAY (NO_ERROR, with the highest stream id each connection has seen) to every open HTTP/2 connection, each
     * on a virtual thread of its own (a client that does not read holds up only its own), and from now on refuses h2c
     * upgrades. Streams a client opens after its GOAWAY are refused by {@link OpenStreams}'s filter, never run.
     * Connections are not closed here: the idle reaper closes each once its streams have finished.
     *
     * @return for each HTTP/2 connection, a future that completes with whether its GOAWAY was written
     */
    List<CompletableFuture<Boolean>> goAway() {
        goingAway = true;
        List<CompletableFuture<Boolean>> sent = new java.util.ArrayList<>();
        for (Tracked t : List.copyOf(live)) {
            if (t.http2() != null) {
                CompletableFuture<Boolean> f = new CompletableFuture<>();
                Thread.ofVirtual().name("graceful-goaway").start(() -> t.goAway(f::complete));
                sent.add(f);
            }
        }
        return sent;
    }

    /**
     * Returns the tracked connection whose handler runs on the calling thread: its HTTP/1.1 requests, and the
     * WebSocket session it was upgraded to.
     *
     * @return the connection, or {@code null} on any other thread (an HTTP/2 stream's, for example)
     */
    Tracked current() {
        return current.get();
    }

    /**
     * Returns whether an HTTP/2 stream must be refused: its connection has been sent a GOAWAY whose last-stream id is
     * below it, so the client has been told it did not run.
     *
     * @param socketId the connection's child socket id ({@code ServerRequest.socketId()})
     * @param streamId the stream's id ({@code ServerRequest.id()} of an HTTP/2 request)
     * @return {@code true} to refuse it
     */
    boolean refusesStream(String socketId, int streamId) {
        Tracked t = bySocket.get(socketId);
        return t != null && t.goAwayLastStream >= 0 && streamId > t.goAwayLastStream;
    }

    private void startReaper() {
        if (reaping.compareAndSet(false, true)) {
            reaper = Thread.ofVirtual().name("graceful-connections").start(this::reapLoop);
        }
    }

    /**
     * Looks at every connection, often during shutdown ({@link #REAP_PERIOD_MILLIS}) and seldom while serving
     * ({@link #SERVING_PERIOD_MILLIS}); ends when no connection is left, and a new connection starts it again.
     */
    private void reapLoop() {
        try {
            do {
                while (!live.isEmpty()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(stopping ? REAP_PERIOD_MILLIS
                                                                                   : SERVING_PERIOD_MILLIS));
                    reap();
                }
                reaping.set(false);
                // A connection added after the last look restarts the reaper itself; this catches one added between
                // that look and the flag.
            } while (!live.isEmpty() && reaping.compareAndSet(false, true));
        } finally {
            reaping.set(false);
        }
    }

    private void reap() {
        // Helidon's idleTime() has a resolution of one second, so a connection between two back-to-back requests
        // can look long idle; only idleness observed here, continuously for the grace, counts.
        long now = System.nanoTime();
        boolean shutdown = stopping;
        long headBound = shutdown ? incompleteHeadNanos : readHeaderNanos;
        boolean quiet = shutdown && isQuiet(now);
        for (Tracked t : live) {
            try {
                reap(t, now, shutdown, headBound, quiet);
            } catch (RuntimeException e) {
                // one connection's failing close must not end the reaper of all the others
                LOG.log(System.Logger.Level.DEBUG, "Could not close a connection", e);
            }
        }
    }

    /**
     * During shutdown: whether the server is quiet, no request having entered or been seen in routing on any
     * connection since the stop began, for {@link #quietCloseNanos} and over {@link #QUIET_LOOKS} spaced looks. Each
     * call is one look; the reaper and {@link #beginShutdown()} both look.
     */
    private synchronized boolean isQuiet(long now) {
        if (!busySinceStop) {
            for (Tracked t : live) {
                if (t.isBusy()) {
                    busySinceStop = true;
                    break;
                }
            }
        }
        long gap = now - lastLookNanos;
        if (lastLookNanos == 0 || gap > LOOK_GAP_NANOS) {
            quietLooks = 0;
            lastLookNanos = now;
        } else if (gap >= LOOK_SPACING_NANOS) {
            quietLooks++;
            lastLookNanos = now;
        }
        return !busySinceStop && quietLooks >= QUIET_LOOKS && now - stoppedAtNanos >= quietCloseNanos;
    }

    /** A request entered routing, on any connection: during shutdown, the server is not quiet. */
    void requestEntered() {
        if (stopping && !busySinceStop) {
            busySinceStop = true;
        }
    }

    private void reap(Tracked t, long now, boolean shutdown, long headBound, boolean quiet) {
        if (t.isIdle()) {
            t.headSince = 0;
            long marks = t.marks;
            if (t.idleSince == 0 || t.idleMarks != marks) {
                // Idle from now on. An HTTP/1.1 connection's idleness seen while serving is kept too, as long as no
                // request passes in between (its marks stay the same). HTTP/2 idleness counts from the stop only.
                t.idleSince = shutdown || t.countsIdleWhileServing() ? now : 0;
                t.idleMarks = marks;
            } else if (shutdown && (t.isFinSent() || t.isGoAwaySettled() && (quiet && t.isPooled()
                                                                                  || idleLongEnough(t, now)))) {
                // once sent FIN, closed when its wait is over, whatever the server has seen since
                closeIdle(t, now);
            }
            return;
        }
        t.idleSince = 0;
        // Between two requests but not waiting for a first line: a request head has started and not ended.
        // Only the same gap, seen continuously (no request in between), counts.
        long marks = t.marks;
        if (!t.isBetweenRequests(marks)) {
            t.headSince = 0;
        } else if (t.headSince == 0 || t.headMarks != marks) {
            t.headSince = now;
            t.headMarks = marks;
        } else if (now - t.headSince >= headBound) {
            t.headSince = 0;
            if (shutdown) {
                incompleteHeadsClosed.incrementAndGet();
            } else {
                LOG.log(System.Logger.Level.DEBUG, "Closing a connection whose request head stayed incomplete");
            }
            t.closeNow();
        }
    }

    /**
     * During shutdown: idle for the grace since the stop began, or, seen idle before it (no request in between), for
     * {@link #LONG_IDLE} or the grace, whichever is longer. A client starved of CPU can leave a busy connection
     * looking idle for a second or so, never for that long: the long-idle connections of a pool close at once.
     */
    private boolean idleLongEnough(Tracked t, long now) {
        long idle = now - t.idleSince;
        long sinceStop = now - stoppedAtNanos;
        return Math.min(idle, sinceStop) >= idleGraceNanos || idle >= Math.max(idleGraceNanos, LONG_IDLE.toNanos());
    }

    /**
     * Closes a connection that has been idle for the grace during shutdown. HTTP/2: the graceful GOAWAY first, on a
     * thread of its own, then a close once it is sent. HTTP/1.1: never while the kernel holds input for it (a request
     * on its way is served instead, with {@code Connection: close}); otherwise FIN first, so that a request the client
     * sends at this very moment meets a clean end of stream, which clients retry, and not a reset; the client's own FIN
     * then ends the connection, and one that does not answer within {@link #IDLE_FIN_WAIT_NANOS} is closed (a client
     * with an idle pooled connection often does not read it until its next use). The wait is the longest round trip
     * after which a request that crossed the FIN still meets a clean end of stream; for a client on this host, whose
     * round trip is the kernel's, it is {@link #LOCAL_FIN_WAIT_NANOS}.
     */
    private static void closeIdle(Tracked t, long now) {
        if (t.http2() != null) {
            if (!t.goAwayStarted()) {
                Thread.ofVirtual().name("graceful-goaway").start(() -> t.goAway(told -> { }));
            } else {
                t.closeIfIdle();
            }
            return;
        }
        if (t.finSentNanos != 0) {
            long wait = ConnectionSockets.isLocalPeer(t.ctx) ? LOCAL_FIN_WAIT_NANOS : IDLE_FIN_WAIT_NANOS;
            if (now - t.finSentNanos >= wait) {
                t.closeIfIdle();
            }
            return;
        }
        if (t.state.get() == Tracked.RUNNING && ConnectionSockets.unread(t.ctx) > 0) {
            t.idleSince = 0;
            return;
        }
        if (t.state.get() == Tracked.RUNNING && t.upgraded == null && ConnectionSockets.shutdownOutput(t.ctx)) {
            t.finSentNanos = now;
        } else {
            t.closeIfIdle();
        }
    }

    private static byte[] prefaceBytes() {
        BufferData preface = Http2Util.prefaceData();
        byte[] bytes = new byte[preface.available()];
        preface.read(bytes);
        return bytes;
    }

    private final class Selector implements ServerConnectionSelector {
        private final ServerConnectionSelector http1;
        private final ServerConnectionSelector http2;

        Selector(ServerConnectionSelector http1, ServerConnectionSelector http2) {
            this.http1 = http1;
            this.http2 = http2;
        }

        @Override
        public int bytesToIdentifyConnection() {
            // Zero: Helidon hands every connection to this selector at once; Tracked identifies the protocol.
            return 0;
        }

        @Override
        public Support supports(BufferData data) {
            return Support.SUPPORTED;
        }

        @Override
        public Set<String> supportedApplicationProtocols() {
            return Set.of("http/1.1", "h2");
        }

        @Override
        public ServerConnection connection(ConnectionContext ctx) {
            return new Tracked(ctx, http1, http2);
        }
    }

    private final class TrackingUpgrader implements Http1Upgrader {
        private final Http1Upgrader delegate;

        TrackingUpgrader(Http1Upgrader delegate) {
            this.delegate = delegate;
        }

        @Override
        public String supportedProtocol() {
            return delegate.supportedProtocol();
        }

        @Override
        public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
            if (goingAway) {
                // Declining an upgrade is allowed (RFC 9110, 7.8): the request is served over HTTP/1.1.
                return null;
            }
            ServerConnection upgraded = delegate.upgrade(ctx, prologue, headers);
            Tracked t = current.get();
            if (t != null && upgraded != null) {
                t.upgraded = upgraded;
            }
            return upgraded;
        }
    }

    /**
     * A tracked connection. Deliberately not an {@link InterruptableTask}: Helidon's executor shutdown then never
     * interrupts it mid-request.
     */
    final class Tracked implements ServerConnection {
        private static final int IDENTIFYING = 0;
        private static final int RUNNING = 1;
        private static final int CLOSED = 2;

        private final ConnectionContext ctx;
        private final ServerConnectionSelector http1;
        private final ServerConnectionSelector http2;
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final long createdNanos = System.nanoTime();
        private volatile ServerConnection delegate;
        private volatile ServerConnection upgraded;
        /** {@link #IDENTIFYING} until the first bytes chose a protocol, then {@link #RUNNING}, or {@link #CLOSED}. */
        private final AtomicInteger state = new AtomicInteger(IDENTIFYING);
        private volatile Thread thread;
        private volatile boolean longLived;
        private final AtomicBoolean goAwayStarted = new AtomicBoolean();
        private volatile boolean goAwayDone;
        private volatile long finSentNanos;
        private volatile int goAwayLastStream = -1;
        private volatile long idleSince;
        /** The request marks when {@link #idleSince} was set: a request in between makes the idleness start over. */
        private volatile long idleMarks;
        /** Incremented when a request enters routing and when it leaves: odd while one is in flight. */
        private volatile long marks;
        private volatile long headSince;
        private volatile long headMarks;
        /**
         * The in-flight filter's record of the request in routing on this connection, read and written only on the
         * connection's own thread: one field instead of a thread-local per request.
         */
        private InFlightRequests.Slot slot;

        Tracked(ConnectionContext ctx, ServerConnectionSelector http1, ServerConnectionSelector http2) {
            this.ctx = ctx;
            this.http1 = http1;
            this.http2 = http2;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            thread = Thread.currentThread();
            String socketId = ctx.childSocketId();
            live.add(this);
            bySocket.put(socketId, this);
            current.set(this);
            // The reaper ends when no connection is left; this one may be the first since. (Accepted after shutdown
            // began, it must be looked at too: Helidon's own close-when-idle is ignored by then.)
            startReaper();
            try {
                if (state.get() == CLOSED) {
                    return;
                }
                ServerConnection c = identify();
                delegate = c;
                if (!state.compareAndSet(IDENTIFYING, RUNNING)) {
                    // closed while waiting for its first bytes
                    return;
                }
                try {
                    c.handle(limit);
                } finally {
                    // Helidon closes the socket when this returns; a FIN first, and the input drained for a moment,
                    // so that unread input does not turn the close into a reset.
                    ConnectionSockets.lingeringClose(ctx);
                }
            } finally {
                current.remove();
                bySocket.remove(socketId, this);
                live.remove(this);
                ended.complete(null);
            }
        }

        @Override
        public Duration idleTime() {
            ServerConnection c = delegate;
            return c == null ? Duration.ofNanos(System.nanoTime() - createdNanos) : c.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            if (interrupt || !stopping) {
                closeDelegate(interrupt);
            } else {
                LOG.log(System.Logger.Level.TRACE, "Ignoring close-when-idle during shutdown; closed when idle");
            }
        }

        /** Closes the connection at once, interrupting whatever it is doing. */
        void closeNow() {
            closeDelegate(true);
        }

        /** Closes the connection if it is waiting for its next request (or has received nothing yet). */
        void closeIfIdle() {
            closeDelegate(false);
        }

        private void closeDelegate(boolean interrupt) {
            if (state.compareAndSet(IDENTIFYING, CLOSED)) {
                // still waiting for its first bytes: nothing to lose
                Thread t = thread;
                if (t != null) {
                    t.interrupt();
                }
                return;
            }
            ServerConnection c = delegate;
            if (c != null) {
                c.close(interrupt);
            }
        }

        /** A request of this HTTP/1.1 connection entered routing; called on the connection's own thread. */
        void requestStarted() {
            marks++;
        }

        /** The request of this HTTP/1.1 connection left routing; called on the connection's own thread. */
        void requestEnded() {
            marks++;
        }

        /** The request in routing on this connection; only on the connection's own thread. */
        InFlightRequests.Slot slot() {
            return slot;
        }

        /** Sets the request in routing; only on the connection's own thread. */
        void slot(InFlightRequests.Slot slot) {
            this.slot = slot;
        }

        /** An HTTP/1.1 connection, neither upgraded nor long-lived, with no request in routing. */
        boolean isBetweenRequests(long marks) {
            return (marks & 1) == 0 && !longLived && upgraded == null && state.get() == RUNNING
                    && delegate instanceof Http1Connection;
        }

        /** Marks this connection as a long-lived stream (a WebSocket session): never closed as idle. */
        void markLongLived() {
            longLived = true;
        }

        /** Completes when the connection has ended. */
        CompletableFuture<Void> ended() {
            return ended;
        }

        /**
         * An HTTP/1.1 connection that has served a request: a pool's connection, which a quiet server closes early.
         * One that has not sent its first request yet may be about to (Go's server gives such a connection 5 s), and
         * an HTTP/2 connection is wound down by its GOAWAY; both keep the grace.
         */
        boolean isPooled() {
            return marks > 0 && upgraded == null && delegate instanceof Http1Connection;
        }

        /** A request in routing, or a request head on its way: its client is sending. */
        boolean isBusy() {
            return !longLived && !isIdle();
        }

        /** A new connection, or an HTTP/1.1 one that was not upgraded: its request marks tell idleness. */
        boolean countsIdleWhileServing() {
            return upgraded == null && (state.get() == IDENTIFYING || delegate instanceof Http1Connection);
        }

        boolean isIdle() {
            if (longLived) {
                return false;
            }
            if (state.get() == IDENTIFYING) {
                // no byte received yet
                return true;
            }
            ServerConnection c = upgraded != null ? upgraded : delegate;
            return c instanceof InterruptableTask<?> task && task.canInterrupt();
        }

        Http2Connection http2() {
            ServerConnection c = upgraded != null ? upgraded : delegate;
            return c instanceof Http2Connection h2 ? h2 : null;
        }

        /**
         * Sends the graceful GOAWAY of RFC 9113, 6.8, once, if this is an HTTP/2 connection: first one with the largest
         * stream id, which refuses nothing but tells the client to open no more streams here; then, after
         * {@link #goAwayGrace(Duration)} (a round trip and more, so that streams the client sent before it learnt of
         * the first have arrived), the final one with the highest stream id seen, above which streams are refused.
         * Hands {@code told} whether this call told the client (wrote the first one) as soon as it is known, so that
         * a caller need not wait out the grace; returns once the final one is sent. Never waits for another call's.
         */
        void goAway(java.util.function.Consumer<Boolean> told) {
            Http2Connection h2 = http2();
            if (h2 == null || !goAwayStarted.compareAndSet(false, true)) {
                told.accept(false);
                return;
            }
            try {
                if (GoAway.lastStreamId(h2) < 0 || !GoAway.send(h2, MAX_STREAM_ID)) {
                    told.accept(false);
                    return;
                }
                told.accept(true);
                try {
                    Thread.sleep(Duration.ofNanos(goAwayGraceNanos));
                } catch (InterruptedException e) {
                    // the budget ended: go final now
                    Thread.currentThread().interrupt();
                }
                int last = GoAway.lastStreamId(h2);
                // Refuse later streams before the client can learn of the final GOAWAY; a stream read between the
                // look and the publication may have passed the filter already, so the GOAWAY covers it.
                goAwayLastStream = last;
                int seen = GoAway.lastStreamId(h2);
                if (seen > last) {
                    last = seen;
                    goAwayLastStream = last;
                }
                // A client that finished its streams may have closed by now: it was told, and nothing is refused.
                GoAway.send(h2, last);
            } finally {
                goAwayDone = true;
            }
        }

        boolean goAwayStarted() {
            return goAwayStarted.get();
        }

        /** Whether the server has sent FIN on this idle connection during shutdown. */
        boolean isFinSent() {
            return finSentNanos != 0;
        }

        /** Whether no GOAWAY is on its way: none started, or both sent. */
        boolean isGoAwaySettled() {
            return !goAwayStarted.get() || goAwayDone;
        }

        private ServerConnection identify() {
            boolean isHttp2;
            try {
                isHttp2 = ctx.dataReader().startsWith(HTTP2_PREFACE);
            } catch (DataReader.InsufficientDataAvailableException | UncheckedIOException e) {
                throw new CloseConnectionException("Connection ended before its first bytes", e);
            }
            return (isHttp2 ? http2 : http1).connection(ctx);
        }
    }
}
