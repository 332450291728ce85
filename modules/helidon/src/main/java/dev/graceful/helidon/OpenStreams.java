package dev.graceful.helidon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;

/**
 * The server's long-lived streams: server-sent event streams ({@link #sse}) and WebSocket sessions
 * ({@link #webSocket}). They are counted here, not as requests in flight, and the {@code streams} participant
 * ({@link StreamsParticipant}) winds them down at shutdown: every SSE stream gets a final {@code event: shutdown}
 * with a {@code retry:} hint and ends, every WebSocket session gets a close frame with code 1001 (Going Away), and
 * every HTTP/2 connection a GOAWAY.
 *
 * <p>As a routing filter (install it after {@link InFlightRequests}), it refuses, once the wind-down has started,
 * WebSocket upgrades (503 with {@code Retry-After}) and HTTP/2 streams that a client opened after its connection's
 * GOAWAY (503, never run: the GOAWAY told the client they did not run). Thread-safe.
 */
public final class OpenStreams implements Filter {

    /** The reason sent with the WebSocket close frame at shutdown. */
    static final String GOING_AWAY_REASON = "server shutting down";

    private static final System.Logger LOG = System.getLogger(OpenStreams.class.getName());

    private final InFlightRequests requests;
    private final OpenConnections connections;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<SseStream> sseStreams = ConcurrentHashMap.newKeySet();
    private final Map<WsSession, Session> sessions = new ConcurrentHashMap<>();
    private final Duration retry;
    private volatile boolean draining;

    /**
     * Creates the registry for one server.
     *
     * @param requests    the in-flight filter, which SSE streams leave
     * @param connections the connection tracker
     * @param retry       the reconnection delay hinted to SSE clients at shutdown, also the {@code Retry-After} of
     *                    refusals
     */
    OpenStreams(InFlightRequests requests, OpenConnections connections, Duration retry) {
        this.requests = Objects.requireNonNull(requests, "requests");
        this.connections = Objects.requireNonNull(connections, "connections");
        this.retry = Objects.requireNonNull(retry, "retry");
    }

    /**
     * Opens a server-sent event stream as the response to this request: status 200, {@code text/event-stream}, and
     * an opening comment that sends the headers. The request leaves the in-flight count. Once the wind-down has
     * started, answers 503 with {@code Retry-After} instead and returns empty. Call from the handler; then call
     * {@link SseStream#run(Duration)} on the same thread.
     *
     * @param req the request
     * @param res its response
     * @return the stream, or empty if the request was refused or the client had already gone
     */
    public Optional<SseStream> sse(ServerRequest req, ServerResponse res) {
        SseStream stream;
        lock.lock();
        try {
            if (draining) {
                refuse(res, "shutting down: no new event streams; reconnect elsewhere\n");
                return Optional.empty();
            }
            requests.detach();
            res.status(Status.OK_200)
                    .header(HeaderValues.CONTENT_TYPE_EVENT_STREAM)
                    .header(HeaderValues.CACHE_NO_CACHE)
                    .header(HeaderNames.create("X-Accel-Buffering"), "no");
            stream = new SseStream(this, res.outputStream());
            sseStreams.add(stream);
        } finally {
            lock.unlock();
        }
        try {
            stream.open();
        } catch (IOException | UncheckedIOException e) {
            stream.close();
            return Optional.empty();
        }
        return Optional.of(stream);
    }

    /**
     * Wraps a WebSocket listener so that its sessions are counted here and closed with 1001 at shutdown, and so that
     * its connections are never closed as idle. Register every WebSocket endpoint through this.
     *
     * @param listener the application's listener
     * @return the listener to register in {@code WsRouting}
     */
    public WsListener webSocket(WsListener listener) {
        return new SessionListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Returns the number of open SSE streams.
     *
     * @return streams opened and not ended
     */
    public int sseStreams() {
        return sseStreams.size();
    }

    /**
     * Returns the number of open WebSocket sessions.
     *
     * @return sessions opened and not ended
     */
    public int webSocketSessions() {
        return sessions.size();
    }

    /**
     * Returns whether the wind-down has started: new streams are refused.
     *
     * @return {@code true} once the {@code streams} participant has started
     */
    public boolean isDraining() {
        return draining;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!refused(req, res)) {
            chain.proceed();
        }
    }

    /**
     * Answers with 503 a request that must not run: from the moment shutdown takes over the connections, an HTTP/2
     * stream above the last-stream id of its connection's final GOAWAY (the idle reaper may send one before the
     * streams are wound down); while draining, a WebSocket upgrade. {@link InFlightRequests} asks this first, so the
     * check costs no filter of its own.
     *
     * @return {@code true} if the request was answered and must not be routed
     */
    boolean refused(RoutingRequest req, RoutingResponse res) {
        if (!draining && !connections.isStopping()) {
            return false;
        }
        HttpPrologue prologue = req.prologue();
        if (prologue.protocolVersion().startsWith("2") && connections.refusesStream(req.socketId(), req.id())) {
            refuse(res, "stream opened after GOAWAY; not processed\n");
            return true;
        }
        if (draining && req.headers().first(HeaderNames.UPGRADE).filter("websocket"::equalsIgnoreCase).isPresent()) {
            refuse(res, "shutting down: no new WebSocket sessions; reconnect elsewhere\n");
            return true;
        }
        return false;
    }

    /**
     * Starts the wind-down: refuses new streams, sends GOAWAY to every HTTP/2 connection, the final event to every SSE
     * stream and a 1001 close frame to every WebSocket session. Returns at once; the returned wind-down waits.
     *
     * @return the streams found and the state of their wind-down
     */
    WindDown windDown() {
        List<SseStream> sse;
        List<Session> ws;
        lock.lock();
        try {
            draining = true;
            sse = List.copyOf(sseStreams);
            ws = List.copyOf(sessions.values());
        } finally {
            lock.unlock();
        }
        String data = "{\"reconnect-ms\":" + retry.toMillis() + "}";
        for (SseStream s : sse) {
            s.finish(retry, data);
        }
        for (Session s : ws) {
            s.goAway();
        }
        return new WindDown(sse, ws, connections.goAway());
    }

    void remove(SseStream stream) {
        sseStreams.remove(stream);
    }

    private void refuse(ServerResponse res, String message) {
        long seconds = Math.max(1, (retry.toMillis() + 999) / 1000);
        res.status(Status.SERVICE_UNAVAILABLE_503)
                .header(HeaderNames.RETRY_AFTER, Long.toString(seconds))
                .send(message);
    }

    /**
     * What the wind-down found, and how it is going.
     *
     * @param sse      the SSE streams sent the final event
     * @param sessions the WebSocket sessions sent 1001
     * @param goAway   for each HTTP/2 connection, whether its GOAWAY was written
     */
    record WindDown(List<SseStream> sse, List<Session> sessions, List<CompletableFuture<Boolean>> goAway) {

        /** Completes when every stream and session found has ended and every GOAWAY has been written. */
        CompletableFuture<Void> ended() {
            CompletableFuture<?>[] all = new CompletableFuture<?>[sse.size() + sessions.size() + goAway.size()];
            int i = 0;
            for (SseStream s : sse) {
                all[i++] = s.ended();
            }
            for (Session s : sessions) {
                all[i++] = s.ended;
            }
            for (CompletableFuture<Boolean> g : goAway) {
                all[i++] = g;
            }
            return CompletableFuture.allOf(all);
        }

        /** HTTP/2 connections whose GOAWAY has been written. */
        long goAwaySent() {
            return goAway.stream().filter(g -> Boolean.TRUE.equals(g.getNow(false))).count();
        }

        /** SSE streams that ended with the final event. */
        long sseClosed() {
            return sse.stream().filter(s -> s.ended().getNow(null) == SseStream.Ending.SHUTDOWN).count();
        }

        /** WebSocket sessions that were sent 1001 and have ended. */
        long sessionsClosed() {
            return sessions.stream().filter(s -> s.closeSent && s.ended.isDone()).count();
        }

        /** Interrupts the handlers of streams and closes the connections of sessions still open. */
        Cut cut() {
            long sseCut = sse.stream().filter(s -> !s.ended().isDone()).filter(SseStream::cut).count();
            List<Session> open = sessions.stream().filter(s -> !s.ended.isDone()).toList();
            open.forEach(Session::cut);
            return new Cut(sseCut, open.size());
        }
    }

    /**
     * What the wind-down had to cut.
     *
     * @param sse       SSE streams whose handler was interrupted
     * @param webSocket WebSocket sessions whose connection was closed without the close handshake
     */
    record Cut(long sse, long webSocket) {
    }

    /** One WebSocket session and the connection it runs on. */
    static final class Session {
        private final WsSession session;
        private final OpenConnections.Tracked connection;
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private volatile boolean closeSent;

        Session(WsSession session, OpenConnections.Tracked connection) {
            this.session = session;
            this.connection = connection;
        }

        void goAway() {
            // One session's blocked socket must not hold up the others.
            Thread.ofVirtual().name("graceful-ws-going-away").start(() -> {
                closeSent = true;
                try {
                    session.close(WsCloseCodes.GOING_AWAY, GOING_AWAY_REASON);
                } catch (RuntimeException e) {
                    closeSent = false;
                    LOG.log(System.Logger.Level.DEBUG, "Could not send a close frame; the client has gone", e);
                    end();
                }
            });
        }

        void cut() {
            if (connection != null) {
                connection.closeNow();
            }
            end();
        }

        void end() {
            ended.complete(null);
        }
    }

    private final class SessionListener implements WsListener {
        private final WsListener delegate;

        SessionListener(WsListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onOpen(WsSession session) {
            // onOpen runs on the thread of the connection that was upgraded.
            OpenConnections.Tracked connection = connections.current();
            Session s = new Session(session, connection);
            boolean late;
            lock.lock();
            try {
                late = draining;
                sessions.put(session, s);
            } finally {
                lock.unlock();
            }
            if (connection != null) {
                connection.markLongLived();
                connection.ended().thenRun(() -> end(session));
            }
            delegate.onOpen(session);
            if (late) {
                // upgraded just before the wind-down started
                s.goAway();
            }
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            delegate.onMessage(session, text, last);
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            delegate.onMessage(session, buffer, last);
        }

        @Override
        public void onPing(WsSession session, BufferData buffer) {
            delegate.onPing(session, buffer);
        }

        @Override
        public void onPong(WsSession session, BufferData buffer) {
            delegate.onPong(session, buffer);
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            try {
                delegate.onClose(session, status, reason);
            } finally {
                end(session);
            }
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            try {
                delegate.onError(session, t);
            } finally {
                end(session);
            }
        }

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            return delegate.onHttpUpgrade(prologue, headers);
        }

        private void end(WsSession session) {
            Session s = sessions.remove(session);
            if (s != null) {
                s.end();
            }
        }
    }
}
