package dev.graceful.testing;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/**
 * Ignores {@link ShutdownContext#remaining()}: always waits its full work time, whatever time is left, though it
 * does return when interrupted. Its work is a wait on a latch that the test never opens.
 */
final class FixedWorkParticipant implements ShutdownParticipant {

    private final Duration work;

    FixedWorkParticipant(Duration work) {
        this.work = work;
    }

    @Override
    public void shutdown(ShutdownContext context) throws InterruptedException {
        boolean done = new CountDownLatch(1).await(work.toNanos(), TimeUnit.NANOSECONDS);
        context.record("done", done ? 1 : 0);
    }
}
