package dev.graceful.testing;

import java.util.concurrent.CountDownLatch;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** Blocks until interrupted, then records {@code interrupted=1} and lets the {@link InterruptedException} go. */
final class HangingParticipant implements ShutdownParticipant {

    @Override
    public void shutdown(ShutdownContext context) throws InterruptedException {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            context.record("interrupted", 1);
            throw e;
        }
    }
}
