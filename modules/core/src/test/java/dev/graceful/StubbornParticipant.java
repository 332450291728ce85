package dev.graceful;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/** Ignores interruption: swallows every interrupt and keeps waiting until the test calls {@link #release()}. */
final class StubbornParticipant implements ShutdownParticipant {

    private final String name;
    private final ShutdownPhase phase;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch interrupted = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private Optional<Duration> timeout = Optional.empty();

    StubbornParticipant(String name, ShutdownPhase phase) {
        this.name = name;
        this.phase = phase;
    }

    StubbornParticipant withTimeout(Duration timeout) {
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
    public void shutdown(ShutdownContext context) {
        started.countDown();
        try {
            while (true) {
                try {
                    released.await();
                    return;
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            }
        } finally {
            ended.countDown();
        }
    }

    void release() {
        released.countDown();
    }

    boolean awaitStarted() throws InterruptedException {
        return started.await(5, TimeUnit.SECONDS);
    }

    boolean awaitInterrupted() throws InterruptedException {
        return interrupted.await(5, TimeUnit.SECONDS);
    }

    boolean hasEnded() {
        return ended.getCount() == 0;
    }
}
