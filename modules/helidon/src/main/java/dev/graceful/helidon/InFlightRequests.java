package dev.graceful.helidon;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.BadRequestException;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * A routing filter that counts requests in flight, from the moment a request enters routing until its handler
 * (and any error handling it threw into) has returned, and lets the drain wait for the count to reach zero without
 * polling.
 *
 * <p>Once {@link #closeConnections()} is called, every HTTP/1.1 response sent from then on carries
 * {@code Connection: close}, and the connection is closed by the server right after that response, so keep-alive
 * clients learn that they must reconnect elsewhere instead of having their next request cut off. HTTP/2 responses are
 * left alone: the header is forbidden there, and its connections are told with a GOAWAY ({@link OpenStreams}).
 *
 * <p>A long-lived stream (a server-sent event stream opened through {@link OpenStreams}) leaves the count as soon as
 * it opens: it is not a request for the drain to wait for, and {@code streams} ends it. Thread-safe.
 */
public final class InFlightRequests implements Filter {

    /** Health probes and metrics scrapes under this path are not traffic for {@link #lastArrivalNanos()}. */
    private static final String OBSERVE_PREFIX = "/observe";

    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private final ThreadLocal<Slot> current = new ThreadLocal<>();
    private volatile boolean closing;
    private volatile Refusal refusal;
    private volatile OpenConnections connections;
    private volatile boolean awaited;
    private volatile long lastArrivalNanos = System.nanoTime();
    private final AtomicLong closedByShutdown = new AtomicLong();

    /**
     * Creates a filter with nothing in flight.
     */
    public InFlightRequests() {
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Refusal refusing = refusal;
        if (refusing != null && refusing.refused(req, res)) {
            return;
        }
        boolean http1 = req.prologue().protocolVersion().startsWith("1");
        OpenConnections tracker = connections;
        OpenConnections.Tracked connection = http1 ? connection(tracker) : null;
        if (tracker != null) {
            // during a stop, any request entering routing means the server is not quiet (OpenConnections)
            tracker.requestEntered();
        }
        inFlight.incrementAndGet();
        // Arrivals only matter to the quiet period, which runs while responses are closing; writing a shared field
        // on every request would also bounce its cache line between cores.
        if (closing && !req.path().path().startsWith(OBSERVE_PREFIX)) {
            lastArrivalNanos = System.nanoTime();
        }
        Slot slot = new Slot();
        if (http1) {
            prepareHttp1(req, res, slot, connection);
        }
        // On a tracked HTTP/1.1 connection the slot lives on the connection (one thread, one request at a time);
        // elsewhere (an HTTP/2 stream's thread) in a thread-local.
        Slot outer = slotOf(connection);
        setSlot(connection, slot);
        try {
            chain.proceed();
        } catch (RuntimeException e) {
            if (slot.malformed == null || res.isSent()) {
                throw e;
            }
            // The client's framing was broken: its own error, never a 5xx, and the connection cannot go on.
            res.status(e instanceof RequestException re ? re.status() : Status.BAD_REQUEST_400)
                    .header(HeaderValues.CONNECTION_CLOSE)
                    .send("malformed request body: " + slot.malformed + "\n");
        } finally {
            setSlot(connection, outer);
            if (connection != null) {
                connection.requestEnded();
            }
            if (!slot.detached) {
                completed.incrementAndGet();
                leave();
            }
        }
        if (http1 && res.isSent() && closesAfter(res, slot)) {
            if (closing) {
                closedByShutdown.incrementAndGet();
            }
            // An unread body is not read here (a rejected upload could be large); the lingering close that follows
            // drains what is in transit, so the close is a FIN and not a reset (OpenConnections).
            // Helidon 4.5.0 sends "Connection: close" but keeps reading the connection (helidon#12324): closing it
            // here gives the client a clean FIN right after the response (RFC 9112, 9.6), whether the client asked
            // for it, the server is shutting down, or the framing of the request was broken.
            throw new CloseConnectionException("Connection: close; connection closed after the response");
        }
    }

    /** The tracked HTTP/1.1 connection the filter runs on; refuses to run a request that arrived after its FIN. */
    private static OpenConnections.Tracked connection(OpenConnections tracker) {
        OpenConnections.Tracked connection = tracker == null ? null : tracker.current();
        if (connection != null && connection.isFinSent()) {
            // The server has already sent FIN on this idle connection: its response could never be written.
            // Not running it leaves the client an end of stream and no response, which it retries safely.
            throw new CloseConnectionException("Request arrived after the server closed its side; not run");
        }
        return connection;
    }

    /** Connection: close once closing, the framing guard on a body, and the request's mark on its connection. */
    private void prepareHttp1(RoutingRequest req, RoutingResponse res, Slot slot, OpenConnections.Tracked connection) {
        if (connection == null) {
            // Not a connection of a server set up by ServerShutdown, whose send listener marks the response without
            // a callback and its list made for every request (sendListener).
            res.beforeSend(() -> {
                if (closing && res.status() != Status.SWITCHING_PROTOCOLS_101) {
                    res.header(HeaderValues.CONNECTION_CLOSE);
                }
            });
        }
        if (req.headers().contains(HeaderNames.CONTENT_LENGTH)
                || req.headers().contains(HeaderNames.TRANSFER_ENCODING)) {
            req.streamFilter(in -> new FramingGuard(in, slot));
        }
        if (connection != null) {
            connection.requestStarted();
        }
    }

    private boolean closesAfter(RoutingResponse res, Slot slot) {
        return slot.malformed != null || saysClose(res.headers()) || closing && slot.detached;
    }

    /**
     * Whether a {@code Connection} header of these headers has the token {@code close}. Helidon's
     * {@code containsToken} would tokenize every response's {@code Connection: keep-alive} through a stream and a
     * list: 8 % of the server's CPU time under wrk, measured. This scans the values in place and allocates nothing.
     */
    static boolean saysClose(Headers headers) {
        if (!headers.contains(HeaderNames.CONNECTION)) {
            return false;
        }
        for (String value : headers.get(HeaderNames.CONNECTION).allValues()) {
            if (hasToken(value, "close")) {
                return true;
            }
        }
        return false;
    }

    /** Whether the comma-separated list has the token, ignoring case and the white space around each item. */
    static boolean hasToken(String list, String token) {
        int start = 0;
        while (true) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? list.length() : comma;
            while (start < end && Character.isWhitespace(list.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(list.charAt(end - 1))) {
                end--;
            }
            if (end - start == token.length() && list.regionMatches(true, start, token, 0, token.length())) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            start = comma + 1;
        }
    }

    /**
     * Lets the in-flight filter mark, on the connection it runs on, when a request enters and leaves routing, so that
     * {@link OpenConnections} tells a connection between requests (idle, or with an incomplete request head) from one
     * serving a request.
     *
     * @param connections the connection tracker
     */
    void trackConnections(OpenConnections connections) {
        this.connections = connections;
    }

    /**
     * Lets the stream registry refuse, while draining, requests that must not run (see
     * {@link OpenStreams#refused}); one filter then does both, which keeps the request path short.
     *
     * @param refusal the stream registry's refusal
     */
    void refuseWith(Refusal refusal) {
        this.refusal = refusal;
    }

    /**
     * Decides, before a request runs, that it must not: answers it (a refusal) and says so. The stream registry is
     * one; this filter knows it only through this interface, so neither class holds the other's type.
     */
    @FunctionalInterface
    interface Refusal {
        /**
         * Refuses the request if it must not run.
         *
         * @param req the request
         * @param res its response, sent when the request is refused
         * @return {@code true} if the request was refused and answered
         */
        boolean refused(RoutingRequest req, RoutingResponse res);
    }

    /**
     * From now on, marks every response {@code Connection: close} and closes its connection after it is sent.
     */
    public void closeConnections() {
        closing = true;
    }

    /**
     * Returns an HTTP/1.1 send listener that marks every response {@code Connection: close} once
     * {@link #closeConnections()} has been called, except an upgrade's {@code 101}, which keeps its
     * {@code Connection: Upgrade}; it passes every event on to {@code next}. Helidon calls it with a response's
     * headers just before it writes them, so a response is marked whenever its headers are sent, also when it was
     * started before the stop. While serving it costs a field read per response, where a {@code beforeSend} callback
     * would cost a callback and a list on every request.
     *
     * @param next the listener the connection had (Helidon's send log, or what the application configured)
     * @return the listener to configure instead
     */
    Http1ConnectionListener sendListener(Http1ConnectionListener next) {
        return new ClosingSendListener(next);
    }

    /** See {@link #sendListener(Http1ConnectionListener)}. */
    private final class ClosingSendListener implements Http1ConnectionListener {
        private final Http1ConnectionListener next;

        private ClosingSendListener(Http1ConnectionListener next) {
            this.next = next;
        }

        @Override
        public void headers(ConnectionContext ctx, Headers headers) {
            // The headers are the response's own, writable, and not yet written (Helidon 4.5.0's Http1ServerResponse).
            if (closing && headers instanceof WritableHeaders<?> writable && !headers.contains(HeaderNames.UPGRADE)) {
                writable.set(HeaderValues.CONNECTION_CLOSE);
            }
            next.headers(ctx, headers);
        }

        @Override
        public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
            next.prologue(ctx, prologue);
        }

        @Override
        public void status(ConnectionContext ctx, Status status) {
            next.status(ctx, status);
        }

        @Override
        public void data(ConnectionContext ctx, BufferData data) {
            next.data(ctx, data);
        }

        @Override
        public void data(ConnectionContext ctx, byte[] bytes, int offset, int length) {
            next.data(ctx, bytes, offset, length);
        }
    }

    /**
     * Returns whether responses are being sent with {@code Connection: close}.
     *
     * @return {@code true} after {@link #closeConnections()}
     */
    public boolean isClosingConnections() {
        return closing;
    }

    /**
     * Returns the number of requests in flight now.
     *
     * @return requests that entered routing and whose handling has not ended
     */
    public long inFlight() {
        return inFlight.get();
    }

    /**
     * Returns the number of requests whose handling has ended since the filter was created.
     *
     * @return the completed count
     */
    public long completed() {
        return completed.get();
    }

    /**
     * Returns when the last request other than an observe endpoint (health, metrics) entered routing since responses
     * started closing ({@link #closeConnections()}).
     *
     * @return a {@link System#nanoTime()} value; the filter's creation time before any such request
     */
    public long lastArrivalNanos() {
        return lastArrivalNanos;
    }

    /**
     * Returns how many connections were closed after their response because the server was shutting down.
     *
     * @return the count
     */
    public long closedByShutdown() {
        return closedByShutdown.get();
    }

    /**
     * Waits until no request is in flight, woken by the last request that completes.
     *
     * @param timeout the longest time to wait
     * @return {@code true} if nothing is in flight, {@code false} if the time ran out first
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        awaited = true;
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (inFlight.get() > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the request whose handler runs on the calling thread out of the count: it has become a long-lived
     * stream. Does nothing on a thread that is not running a request through this filter, or when called again.
     *
     * @return {@code true} if the request left the count now
     */
    boolean detach() {
        OpenConnections tracker = connections;
        Slot slot = slotOf(tracker == null ? null : tracker.current());
        if (slot == null || slot.detached) {
            return false;
        }
        slot.detached = true;
        leave();
        return true;
    }

    private void leave() {
        if (inFlight.decrementAndGet() == 0 && awaited) {
            signalIdle();
        }
    }

    private void signalIdle() {
        lock.lock();
        try {
            idle.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private Slot slotOf(OpenConnections.Tracked connection) {
        return connection != null ? connection.slot() : current.get();
    }

    private void setSlot(OpenConnections.Tracked connection, Slot slot) {
        if (connection != null) {
            connection.slot(slot);
        } else {
            current.set(slot);
        }
    }

    /** The request being handled on one thread. */
    static final class Slot {
        private boolean detached;
        /** Why reading the request body failed on its framing, once it has. */
        private volatile String malformed;
    }

    /**
     * The request body as the handler reads it. Helidon lets some framing errors of a chunked body escape as plain
     * runtime exceptions (a chunk size that is not hex throws {@link NumberFormatException}), which end as a 500; here
     * every other failure of the underlying read becomes a {@link BadRequestException}. Either way the request is marked,
     * so that the filter answers with the status (400, or that of Helidon's own {@link RequestException}) and closes.
     */
    private static final class FramingGuard extends FilterInputStream {
        private final Slot slot;

        FramingGuard(InputStream in, Slot slot) {
            super(in);
            this.slot = slot;
        }

        @Override
        public int read() throws IOException {
            failIfMalformed();
            try {
                return super.read();
            } catch (RuntimeException e) {
                throw malformed(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            failIfMalformed();
            try {
                return super.read(b, off, len);
            } catch (RuntimeException e) {
                throw malformed(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            failIfMalformed();
            try {
                return super.skip(n);
            } catch (RuntimeException e) {
                throw malformed(e);
            }
        }

        /** Once the framing is broken, nothing more is read: the rest of the input cannot be trusted. */
        @Override
        public void close() throws IOException {
            if (slot.malformed == null) {
                super.close();
            }
        }

        private void failIfMalformed() {
            if (slot.malformed != null) {
                throw new BadRequestException("malformed request body: " + slot.malformed);
            }
        }

        private RuntimeException malformed(RuntimeException e) {
            if (e instanceof RequestException) {
                // Helidon's own framing error: its status stands (413 for a chunked body over the limit)
                slot.malformed = e.getMessage();
                return e;
            }
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            slot.malformed = why;
            return new BadRequestException("malformed request body: " + why, e);
        }
    }
}
