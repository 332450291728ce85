package dev.graceful.app;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.graceful.wire.RawHttp2Connection;

/**
 * A well-behaved HTTP/2 load: several prior-knowledge connections, each keeping a number of {@code GET /} streams in
 * flight. On a GOAWAY a connection opens no more streams; a stream above the GOAWAY's last-stream id is refused (it did
 * not run); one that ends any other way than with a 2xx response, or is still open when the connection ends, failed.
 * Bounded in time; loopback only.
 */
final class Http2Load implements AutoCloseable {

    private final int port;
    private final int inFlightPerConnection;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong ok = new AtomicLong();
    private final List<String> failed = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);

    Http2Load(int port, int connections, int inFlightPerConnection) {
        this.port = port;
        this.inFlightPerConnection = inFlightPerConnection;
        for (int i = 0; i < connections; i++) {
            pool.submit(this::connection);
        }
    }

    long ok() {
        return ok.get();
    }

    List<String> failed() {
        return List.copyOf(failed);
    }

    List<String> refused() {
        return List.copyOf(refused);
    }

    /** Waits until {@code more} further streams have succeeded. */
    void awaitMore(long more) throws InterruptedException {
        long target = ok.get() + more;
        while (ok.get() < target) {
            if (System.nanoTime() > endNanos) {
                throw new AssertionError("load stalled at " + ok.get() + "; failed " + failed);
            }
            Thread.sleep(10);
        }
    }

    /** Waits until every connection has ended (the server closed them all). */
    void awaitEnd() throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new AssertionError("HTTP/2 connections still open");
        }
    }

    private void connection() {
        Set<Integer> open = new HashSet<>();
        int next = 1;
        boolean goingAway = false;
        try (RawHttp2Connection h2 = RawHttp2Connection.connect(port)) {
            h2.raiseConnectionWindow();
            while (true) {
                while (!goingAway && open.size() < inFlightPerConnection && System.nanoTime() < endNanos) {
                    h2.get(next, "/");
                    open.add(next);
                    next += 2;
                }
                RawHttp2Connection.Frame f = h2.read();
                if (f == null) {
                    for (int id : open) {
                        failed.add("stream " + id + ": connection ended before its response");
                    }
                    return;
                }
                switch (f.type()) {
                case RawHttp2Connection.GOAWAY -> {
                    goingAway = true;
                    for (var it = open.iterator(); it.hasNext(); ) {
                        int id = it.next();
                        if (id > f.lastStreamId()) {
                            refused.add("stream " + id + " above GOAWAY last-stream " + f.lastStreamId());
                            it.remove();
                        }
                    }
                }
                case RawHttp2Connection.RST_STREAM -> {
                    if (open.remove(f.streamId())) {
                        failed.add("stream " + f.streamId() + ": RST_STREAM " + f.errorCode());
                    }
                }
                case RawHttp2Connection.HEADERS -> {
                    if (f.status() / 100 != 2 && open.remove(f.streamId())) {
                        (f.status() == 503 ? refused : failed).add("stream " + f.streamId() + ": status " + f.status());
                    } else if (f.endStream() && open.remove(f.streamId())) {
                        ok.incrementAndGet();
                    }
                }
                case RawHttp2Connection.DATA -> {
                    if (f.endStream() && open.remove(f.streamId())) {
                        ok.incrementAndGet();
                    }
                }
                default -> {
                }
                }
                if (goingAway && open.isEmpty() && System.nanoTime() > endNanos) {
                    return;
                }
            }
        } catch (IOException e) {
            for (int id : open) {
                failed.add("stream " + id + ": " + e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }
}
