package dev.graceful.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** Declares a 100 ms timeout but its work takes until the test calls {@link #release()}; it waits interruptibly. */
final class OverrunningParticipant implements ShutdownParticipant {

    static final Duration DECLARED_TIMEOUT = Duration.ofMillis(100);

    private final CountDownLatch released = new CountDownLatch(1);

    @Override
    public Optional<Duration> timeout() {
        return Optional.of(DECLARED_TIMEOUT);
    }

    @Override
    public void shutdown(ShutdownContext context) throws InterruptedException {
        released.await();
    }

    void release() {
        released.countDown();
    }
}
