package dev.graceful.app;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue in front of the {@link EventStore}: {@link #offer} takes an event, and one writer thread commits
 * whatever has queued, up to {@value #BATCH} events, in one transaction (group commit), then completes each
 * event's {@code committed} future and runs the commit listener. {@link #flushAndClose} stops taking events and
 * waits until every one taken is stored. A batch that fails to store stays queued and is retried; nothing taken is
 * dropped. Thread-safe.
 */
final class EventBuffer {

    private static final System.Logger LOG = System.getLogger(EventBuffer.class.getName());
    private static final int BATCH = 500;
    private static final long RETRY_MILLIS = 200;

    private final EventStore store;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private final Runnable onCommit;
    private int writing;
    private boolean closed;
    private long stored;
    private Thread writer;

    EventBuffer(EventStore store, int capacity, Runnable onCommit) {
        this.store = Objects.requireNonNull(store, "store");
        this.capacity = capacity;
        this.onCommit = Objects.requireNonNull(onCommit, "onCommit");
    }

    /** An event taken, and the future its batch's commit completes. */
    private record Entry(EventStore.Event event, CompletableFuture<Void> committed) {
    }

    void start() {
        writer = Thread.ofVirtual().name("events-writer").start(this::writeLoop);
    }

    /** Result of {@link #offer}. */
    enum Offer { ACCEPTED, CLOSED, FULL }

    /**
     * Takes an event unless closed or full.
     *
     * @param event     the event
     * @param committed completed once the event's batch has committed
     */
    Offer offer(EventStore.Event event, CompletableFuture<Void> committed) {
        Objects.requireNonNull(committed, "committed");
        lock.lock();
        try {
            if (closed) {
                return Offer.CLOSED;
            }
            if (pending.size() >= capacity) {
                return Offer.FULL;
            }
            pending.add(new Entry(event, committed));
            changed.signalAll();
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes back an event that no batch has taken yet, so that it will not be stored.
     *
     * @param committed the future given to {@link #offer}
     * @return {@code true} if it was still queued and is now gone; {@code false} if a batch has it (it may be stored)
     */
    boolean withdraw(CompletableFuture<Void> committed) {
        lock.lock();
        try {
            return pending.removeIf(e -> e.committed() == committed);
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

    private void notifyCommitted() {
        try {
            onCommit.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "The commit listener failed", e);
        }
    }

    private void writeLoop() {
        while (true) {
            List<Entry> batch = new ArrayList<>(BATCH);
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
                store.insert(batch.stream().map(Entry::event).toList());
                done = true;
            } catch (SQLException | RuntimeException | LinkageError | OutOfMemoryError e) {
                // never ends the writer: what it took stays queued and is retried
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
            if (done) {
                batch.forEach(e -> e.committed().complete(null));
                notifyCommitted();
            } else {
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
