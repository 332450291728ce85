package dev.graceful.helidon;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open server-sent event stream ({@code text/event-stream}), written by hand to the response's output stream so
 * that it can send what Helidon's {@code SseSink} cannot: a {@code retry:} field (4.5.0's sink never writes one).
 * Opened by {@link OpenStreams#sse}; ended by the client, by the application ({@link #close()}), or at shutdown with
 * a final {@code event: shutdown} that carries a {@code retry:} hint, after which the stream ends cleanly.
 *
 * <p>Threading: {@link #offer} may be called from any thread (a broadcaster); everything is written by the request's
 * handler thread inside {@link #run(Duration)}, since a response is not thread-safe. A client that falls more than
 * {@link #CAPACITY} events behind misses the events offered meanwhile ({@code offer} returns {@code false}).
 */
public final class SseStream implements AutoCloseable {

    /** Events queued for one stream at most. */
    public static final int CAPACITY = 1024;

    /** The name of the final event sent at shutdown. */
    public static final String SHUTDOWN_EVENT = "shutdown";

    private static final Object HEARTBEAT = new Object();

    private final OpenStreams registry;
    private final OutputStream out;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile boolean closeRequested;
    private final CompletableFuture<Ending> ended = new CompletableFuture<>();
    private volatile Thread runner;

    /** How a stream ended. */
    enum Ending {
        /** The final {@code shutdown} event was written and the stream ended cleanly. */
        SHUTDOWN,
        /** The client went away, or the application closed the stream. */
        OTHER
    }

    /**
     * One event.
     *
     * @param name the event type ({@code event:}), or {@code null} for the default {@code message}
     * @param id   the event id ({@code id:}), or {@code null} for none
     * @param data the data; each of its lines becomes a {@code data:} line
     */
    public record Event(String name, String id, String data) {
        /**
         * Validates the event.
         *
         * @param name the event type, or {@code null}
         * @param id   the event id, or {@code null}
         * @param data the data
         */
        public Event {
            Objects.requireNonNull(data, "data");
            if (name != null && (name.isEmpty() || hasLineBreak(name))) {
                throw new IllegalArgumentException("event name must be non-empty and on one line: '" + name + "'");
            }
            if (id != null && (hasLineBreak(id) || id.indexOf('\0') >= 0)) {
                throw new IllegalArgumentException("event id must be on one line, without NUL: '" + id + "'");
            }
        }

        private static boolean hasLineBreak(String s) {
            return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
        }
    }

    /** The final event, queued by the shutdown. */
    private record Final(Duration retry, String data) {
    }

    SseStream(OpenStreams registry, OutputStream out) {
        this.registry = registry;
        this.out = out;
    }

    /**
     * Queues an event for this stream. Thread-safe, never blocks.
     *
     * @param event the event
     * @return {@code false} if the stream has ended or the client has fallen {@link #CAPACITY} events behind
     */
    public boolean offer(Event event) {
        Objects.requireNonNull(event, "event");
        if (finished.get() || closeRequested || inbox.size() >= CAPACITY) {
            return false;
        }
        return inbox.offer(event);
    }

    /**
     * Returns whether the stream still takes events: it has not ended and is not ending. A producer that gets
     * {@code false} from {@link #offer} while this is {@code true} has found the queue full, and may retry.
     *
     * @return {@code true} until the stream ends or is asked to
     */
    public boolean isOpen() {
        return !finished.get() && !closeRequested;
    }

    /**
     * Writes queued events, and a comment every {@code heartbeat} when there are none (so that a client that has gone
     * away is noticed), on the calling thread, which must be the request's handler thread. Returns when the stream
     * has ended: the client went away, {@link #close()} was called, or the shutdown sent its final event. Then the
     * handler should return.
     *
     * @param heartbeat the longest time without a write
     * @throws InterruptedException if the handler thread is interrupted (the shutdown cutting a stream it could not end)
     */
    public void run(Duration heartbeat) throws InterruptedException {
        runner = Thread.currentThread();
        try {
            while (!finished.get()) {
                Object item = inbox.poll(heartbeat.toNanos(), TimeUnit.NANOSECONDS);
                if (closeRequested && !(item instanceof Final)) {
                    return;
                }
                if (!write(item == null ? HEARTBEAT : item)) {
                    return;
                }
            }
        } finally {
            runner = null;
            close();
        }
    }

    /**
     * Ends the stream: the response ends cleanly if the client is still there. Idempotent; call it from the handler
     * thread, or from another thread while {@link #run(Duration)} is running there (it then ends on its own thread).
     */
    @Override
    public void close() {
        Thread r = runner;
        if (r != null && r != Thread.currentThread()) {
            closeRequested = true;
            inbox.offer(HEARTBEAT);
            return;
        }
        end(Ending.OTHER);
    }

    /** Queues the final event; the handler thread writes it and ends the stream. */
    void finish(Duration retry, String data) {
        inbox.offer(new Final(retry, data));
    }

    /** Completes with how the stream ended. */
    CompletableFuture<Ending> ended() {
        return ended;
    }

    /** Interrupts the handler thread: a write blocked on a client that does not read then fails. */
    boolean cut() {
        Thread r = runner;
        if (r != null) {
            r.interrupt();
            return true;
        }
        return false;
    }

    /** Writes the opening comment, which sends the response headers. */
    void open() throws IOException {
        out.write(": stream open\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Returns {@code false} once the stream has ended. */
    private boolean write(Object item) {
        StringBuilder text = new StringBuilder(64);
        if (item == HEARTBEAT) {
            text.append(":\n\n");
        } else if (item instanceof Event e) {
            if (e.id() != null) {
                text.append("id: ").append(e.id()).append('\n');
            }
            if (e.name() != null) {
                text.append("event: ").append(e.name()).append('\n');
            }
            data(text, e.data());
            text.append('\n');
        } else if (item instanceof Final f) {
            text.append("event: ").append(SHUTDOWN_EVENT).append('\n')
                    .append("retry: ").append(f.retry().toMillis()).append('\n');
            data(text, f.data());
            text.append('\n');
        }
        try {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | UncheckedIOException e) {
            end(Ending.OTHER);
            return false;
        }
        if (item instanceof Final) {
            end(Ending.SHUTDOWN);
            return false;
        }
        return true;
    }

    private static void data(StringBuilder text, String data) {
        for (String line : data.split("\r\n|\r|\n", -1)) {
            text.append("data: ").append(line).append('\n');
        }
    }

    private void end(Ending ending) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        Ending how = ending;
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            // the client has gone: the stream did not end cleanly
            how = Ending.OTHER;
        }
        registry.remove(this);
        ended.complete(how);
    }
}
