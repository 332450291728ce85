package dev.graceful.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/**
 * Honours {@link ShutdownContext#remaining()} but ignores interruption: waits for its work until half the time left
 * has passed, swallowing interrupts, then returns. The test calls {@link #release()} to end its work early.
 */
final class SwallowingParticipant implements ShutdownParticipant {

    private final CountDownLatch released = new CountDownLatch(1);

    @Override
    public void shutdown(ShutdownContext context) {
        long end = System.nanoTime() + context.remaining().dividedBy(2).toNanos();
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
            try {
                if (released.await(left, TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException ignored) {
                // the bug this fake stands for
            }
        }
    }

    void release() {
        released.countDown();
    }
}
