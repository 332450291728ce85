package dev.graceful;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/** Blocks until interrupted, signalling when it started and when the interrupt arrived; records {@code interrupted=1}. */
final class HangingParticipant implements ShutdownParticipant {

    private final String name;
    private final ShutdownPhase phase;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch interrupted = new CountDownLatch(1);
    private final AtomicInteger calls = new AtomicInteger();
    private Optional<Duration> timeout = Optional.empty();

    HangingParticipant(String name, ShutdownPhase phase) {
        this.name = name;
        this.phase = phase;
    }

    HangingParticipant withTimeout(Duration timeout) {
        this.timeout = Optional.of(timeout);
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ShutdownPhase phase() {
        return phase;
    }

    @Override
    public Optional<Duration> timeout() {
        return timeout;
    }

    @Override
    public void shutdown(ShutdownContext context) throws InterruptedException {
        calls.incrementAndGet();
        started.countDown();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            context.record("interrupted", 1);
            interrupted.countDown();
            throw e;
        }
    }

    boolean awaitStarted() throws InterruptedException {
        return started.await(5, TimeUnit.SECONDS);
    }

    boolean awaitInterrupted() throws InterruptedException {
        return interrupted.await(5, TimeUnit.SECONDS);
    }

    int calls() {
        return calls.get();
    }
}
