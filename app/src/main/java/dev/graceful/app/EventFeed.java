package dev.graceful.app;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import dev.graceful.helidon.SseStream;

import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;

/**
 * The feed of stored events, read from the database: each subscriber, an SSE stream ({@code GET /events/stream}) or a
 * WebSocket session ({@code /ws/events}), has a reader of its own that sends every event numbered after its cursor,
 * in order, and then waits for the next commit: of this process's writer (woken at once), or of another process
 * sharing the database, the other side of a restart (seen within {@link #POLL}). Every subscriber gets each event
 * once, in {@code seq} order, however the events were spread over processes; a subscriber that cannot keep up is
 * sent events as fast as it reads them, and none is skipped. Thread-safe.
 *
 * <p>Resume: an SSE client that reconnects with {@code Last-Event-ID} (the {@code seq} of the last event it got)
 * first gets every event stored after it, then the live ones, with no gap and no duplicate between the two. At most
 * {@link #replayLimit} events are replayed: a resume point further behind, or ahead of every stored event (another
 * database), gets an {@code event: reset} whose id is the latest number, and the feed goes on from there.
 */
final class EventFeed {

    /** The longest a subscriber waits before looking for events another process committed. */
    static final Duration POLL = Duration.ofMillis(100);
    /** The name of the event that says the replay could not be complete. */
    static final String RESET_EVENT = "reset";

    private static final System.Logger LOG = System.getLogger(EventFeed.class.getName());
    private static final int PAGE = 256;
    private static final long RETRY_MILLIS = 200;

    private final EventStore store;
    private final long replayLimit;
    /** Whether the database pool has closed. */
    private final BooleanSupplier closed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition committed = lock.newCondition();
    private long commits;

    EventFeed(EventStore store, long replayLimit, BooleanSupplier closed) {
        this.store = Objects.requireNonNull(store, "store");
        this.replayLimit = replayLimit;
        this.closed = Objects.requireNonNull(closed, "closed");
    }

    /** This process's writer has committed a batch. */
    void committed() {
        lock.lock();
        try {
            commits++;
            committed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Where a subscriber starts: after its resume point if the replay fits within the limit, else at the latest
     * stored event.
     *
     * @param resumeAfter the {@code seq} the client last got, or empty for live events only
     * @return the cursor, and whether a reset must be sent first
     */
    Start start(OptionalLong resumeAfter) throws SQLException {
        long latest = store.latestSeq();
        if (resumeAfter.isEmpty()) {
            return new Start(latest, null);
        }
        long after = resumeAfter.getAsLong();
        if (after > latest) {
            return new Start(latest, "Last-Event-ID " + after + " is ahead of the latest stored event " + latest
                    + "; going on from the latest");
        }
        if (latest - after > replayLimit) {
            return new Start(latest, (latest - after) + " events were stored after Last-Event-ID " + after
                    + ", more than the replay limit of " + replayLimit + "; going on from the latest");
        }
        return new Start(after, null);
    }

    /**
     * Where a subscriber starts whose resume point is not a sequence number this feed sent: at the latest stored
     * event, after a reset.
     *
     * @param lastEventId what the client sent
     * @return the cursor, and the reason for the reset
     */
    Start unknown(String lastEventId) throws SQLException {
        return new Start(store.latestSeq(), "Last-Event-ID '" + lastEventId + "' is not an event number this feed "
                + "sent (a whole number); going on from the latest");
    }

    /** A subscriber's first cursor, and the reason for a reset, if there must be one. */
    record Start(long cursor, String reset) {
    }

    /**
     * Feeds an SSE stream on a thread of its own until the stream ends.
     *
     * @param stream the stream
     * @param start  where it starts
     */
    void follow(SseStream stream, Start start) {
        if (start.reset() != null) {
            stream.offer(new SseStream.Event(RESET_EVENT, Long.toString(start.cursor()),
                                             "{\"latest\":" + start.cursor() + ",\"reason\":"
                                                     + jakarta.json.Json.createValue(start.reset()) + "}"));
        }
        Thread.ofVirtual().name("events-feed-sse").start(() -> feed(start.cursor(), stream::isOpen, e -> {
            SseStream.Event event = new SseStream.Event("event", Long.toString(e.seq()), e.json());
            while (!stream.offer(event)) {
                if (!stream.isOpen()) {
                    return false;
                }
                Thread.sleep(10);
            }
            return true;
        }));
    }

    /** Sends events after the cursor while the subscriber is there; returns when it has gone. */
    private void feed(long cursor, BooleanSupplier open, Sender sender) {
        try {
            while (open.getAsBoolean()) {
                long seen = commitsSeen();
                List<EventStore.Stored> page;
                try {
                    page = store.after(cursor, PAGE);
                } catch (SQLException | RuntimeException e) {
                    if (closed.getAsBoolean()) {
                        // the pool has closed at the end of a stop: this subscriber is being ended anyway
                        return;
                    }
                    LOG.log(System.Logger.Level.WARNING, "Reading events for a subscriber failed; retrying", e);
                    Thread.sleep(RETRY_MILLIS);
                    continue;
                }
                for (EventStore.Stored e : page) {
                    if (!sender.send(e)) {
                        return;
                    }
                    cursor = e.seq();
                }
                if (page.size() < PAGE) {
                    awaitCommit(seen);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long commitsSeen() {
        lock.lock();
        try {
            return commits;
        } finally {
            lock.unlock();
        }
    }

    private void awaitCommit(long seen) throws InterruptedException {
        lock.lock();
        try {
            long nanos = POLL.toNanos();
            while (commits == seen && nanos > 0) {
                nanos = committed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Sends one event to a subscriber; {@code false} once the subscriber has gone. */
    @FunctionalInterface
    private interface Sender {
        boolean send(EventStore.Stored event) throws InterruptedException;
    }

    /**
     * The WebSocket endpoint: greets with {@code {"type":"open"}}, then sends each event stored from then on as a JSON
     * text message, {@code {"seq":N,"id":"...","payload":...}}. It takes no resume point; SSE does.
     */
    WsListener webSocket() {
        Map<WsSession, AtomicBoolean> sessions = new ConcurrentHashMap<>();
        return new WsListener() {
            @Override
            public void onOpen(WsSession session) {
                AtomicBoolean open = new AtomicBoolean(true);
                sessions.put(session, open);
                long cursor;
                try {
                    // before the greeting, which promises every event stored from then on
                    cursor = store.latestSeq();
                } catch (SQLException e) {
                    LOG.log(System.Logger.Level.WARNING, "Cannot read the latest event for a WebSocket session", e);
                    session.close(1011, "events unavailable");
                    return;
                }
                session.send("{\"type\":\"open\"}", true);
                Thread.ofVirtual().name("events-feed-ws").start(() -> feed(cursor, open::get, e -> {
                    try {
                        session.send(e.json(), true);
                        return true;
                    } catch (RuntimeException gone) {
                        LOG.log(System.Logger.Level.DEBUG, "A WebSocket subscriber has gone", gone);
                        open.set(false);
                        return false;
                    }
                }));
            }

            @Override
            public void onClose(WsSession session, int status, String reason) {
                ended(session);
            }

            @Override
            public void onError(WsSession session, Throwable t) {
                ended(session);
            }

            private void ended(WsSession session) {
                AtomicBoolean open = sessions.remove(session);
                if (open != null) {
                    open.set(false);
                }
            }
        };
    }
}
