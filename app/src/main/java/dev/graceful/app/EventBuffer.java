package dev.graceful.app;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The write-behind buffer: {@link #offer} acknowledges an event once it is held here; a writer thread stores
 * batches in the {@link EventStore}. {@link #flushAndClose} stops taking events and waits until every acknowledged
 * one is stored. A batch that fails to store stays buffered and is retried; nothing acknowledged is dropped.
 * Thread-safe.
 */
final class EventBuffer {

    private static final System.Logger LOG = System.getLogger(EventBuffer.class.getName());
    private static final int BATCH = 500;
    private static final long RETRY_MILLIS = 200;

    private final EventStore store;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<EventStore.Event> pending = new ArrayDeque<>();
    private int writing;
    private boolean closed;
    private long stored;
    private Thread writer;

    EventBuffer(EventStore store, int capacity) {
        this.store = Objects.requireNonNull(store, "store");
        this.capacity = capacity;
    }

    void start() {
        writer = Thread.ofVirtual().name("events-writer").start(this::writeLoop);
    }

    /** Result of {@link #offer}. */
    enum Offer { ACCEPTED, CLOSED, FULL }

    Offer offer(EventStore.Event event) {
        lock.lock();
        try {
            if (closed) {
                return Offer.CLOSED;
            }
            if (pending.size() >= capacity) {
                return Offer.FULL;
            }
            pending.add(event);
            changed.signalAll();
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /** Events acknowledged and not yet stored. */
    int pending() {
        lock.lock();
        try {
            return pending.size() + writing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking events, then waits until every acknowledged event is stored.
     *
     * @return the number of events stored while waiting
     * @throws InterruptedException if interrupted; events not yet stored stay buffered
     */
    long flushAndClose(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            closed = true;
            long storedBefore = stored;
            changed.signalAll();
            while (!pending.isEmpty() || writing > 0) {
                if (nanos <= 0) {
                    throw new IllegalStateException((pending.size() + writing) + " acknowledged events were not "
                                                            + "stored within " + timeout);
                }
                nanos = changed.awaitNanos(nanos);
            }
            return stored - storedBefore;
        } finally {
            lock.unlock();
        }
    }

    private void writeLoop() {
        while (true) {
            List<EventStore.Event> batch = new ArrayList<>(BATCH);
            lock.lock();
            try {
                while (pending.isEmpty()) {
                    if (closed) {
                        return;
                    }
                    changed.await();
                }
                while (batch.size() < BATCH && !pending.isEmpty()) {
                    batch.add(pending.poll());
                }
                writing = batch.size();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            boolean done = false;
            try {
                store.insert(batch);
                done = true;
            } catch (SQLException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Storing " + batch.size() + " events failed; retrying", e);
            }
            lock.lock();
            try {
                writing = 0;
                if (done) {
                    stored += batch.size();
                } else {
                    for (int i = batch.size() - 1; i >= 0; i--) {
                        pending.addFirst(batch.get(i));
                    }
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (!done) {
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
