package dev.graceful.process;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.graceful.wire.RawHttpConnection;

/**
 * A steady, bounded load of keep-alive and connection-per-request clients. Every request that does not end in a 2xx
 * response (refused connect, reset, EOF, error status) is a failure, recorded with what happened.
 */
public final class SteadyLoad implements AutoCloseable {

    private final int port;
    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong ok = new AtomicLong();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<String> notAccepted = new CopyOnWriteArrayList<>();
    private final List<String> greetings = new CopyOnWriteArrayList<>();
    private final long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    private volatile boolean stopped;

    public SteadyLoad(int port) {
        this.port = port;
    }

    /** Starts the clients: keep-alive on {@code GET /}, keep-alive on {@code /work?ms=200}, and per-request. */
    public SteadyLoad start(int keepAlive, int slowKeepAlive, int perRequest) {
        for (int i = 0; i < keepAlive; i++) {
            pool.submit(() -> keepAlive("/"));
        }
        for (int i = 0; i < slowKeepAlive; i++) {
            pool.submit(() -> keepAlive("/work?ms=200"));
        }
        for (int i = 0; i < perRequest; i++) {
            pool.submit(this::perRequest);
        }
        return this;
    }

    public long ok() {
        return ok.get();
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /**
     * Connections reset before their first response: the old listener closed at the instant the kernel completed
     * them, so the request never reached the service (no response, safe to retry). Counted apart from failures.
     */
    public List<String> notAccepted() {
        return List.copyOf(notAccepted);
    }

    /** Bodies of {@code GET /} responses, in the order they arrived. */
    public List<String> greetings() {
        return List.copyOf(greetings);
    }

    /** Waits until {@code more} further requests have succeeded. */
    public void awaitMore(long more) throws InterruptedException {
        long target = ok.get() + more;
        while (ok.get() < target) {
            if (System.nanoTime() > endNanos || !failures.isEmpty() && failures.size() > 100) {
                throw new AssertionError("load stalled at " + ok.get() + " ok; " + failures.size() + " failures, first: "
                                                 + failures.subList(0, Math.min(10, failures.size())));
            }
            Thread.sleep(10);
        }
    }

    private boolean running() {
        return !stopped && System.nanoTime() < endNanos;
    }

    private void keepAlive(String path) {
        while (running()) {
            try (RawHttpConnection http = RawHttpConnection.open(port)) {
                while (running()) {
                    RawHttpConnection.Response r = http.get(path);
                    if (!record(path, r)) {
                        break;
                    }
                    if (r.closesConnection()) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (running()) {
                    failures.add("keep-alive " + path + ": " + e);
                }
            }
        }
    }

    private void perRequest() {
        while (running()) {
            try (RawHttpConnection http = RawHttpConnection.open(port)) {
                RawHttpConnection.Response r;
                try {
                    r = http.getAndClose("/");
                } catch (java.net.SocketException e) {
                    if (running()) {
                        notAccepted.add("per-request: " + e);
                    }
                    continue;
                }
                record("/", r);
            } catch (IOException e) {
                if (running()) {
                    failures.add("per-request: " + e);
                }
            }
        }
    }

    private boolean record(String path, RawHttpConnection.Response r) {
        if (r.status() / 100 != 2) {
            failures.add(path + ": status " + r.status());
            return false;
        }
        ok.incrementAndGet();
        if (path.equals("/")) {
            greetings.add(r.body().strip());
        }
        return true;
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.SECONDS);
    }
}
