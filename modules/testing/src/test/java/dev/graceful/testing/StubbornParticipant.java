package dev.graceful.testing;

import java.util.concurrent.CountDownLatch;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** Ignores interruption: swallows every interrupt and keeps waiting until the test calls {@link #release()}. */
final class StubbornParticipant implements ShutdownParticipant {

    private final CountDownLatch released = new CountDownLatch(1);

    @Override
    public void shutdown(ShutdownContext context) {
        while (true) {
            try {
                released.await();
                return;
            } catch (InterruptedException ignored) {
                // the bug this fake stands for
            }
        }
    }

    void release() {
        released.countDown();
    }
}
