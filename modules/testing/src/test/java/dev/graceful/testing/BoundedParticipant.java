package dev.graceful.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/**
 * Honours {@link ShutdownContext#remaining()} and interruption: waits for its work at most half the time left, then
 * records {@code cut-short=1} and returns; lets an {@link InterruptedException} go. Its work is a wait on a latch
 * that the test never opens.
 */
final class BoundedParticipant implements ShutdownParticipant {

    @Override
    public void shutdown(ShutdownContext context) throws InterruptedException {
        long bound = context.remaining().dividedBy(2).toNanos();
        boolean done = new CountDownLatch(1).await(bound, TimeUnit.NANOSECONDS);
        context.record("cut-short", done ? 0 : 1);
    }
}
