package dev.graceful.testing;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** Closes its resource on the first run and throws on a second: not idempotent. */
final class OnceOnlyParticipant implements ShutdownParticipant {

    private final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public void shutdown(ShutdownContext context) {
        if (!closed.compareAndSet(false, true)) {
            throw new IllegalStateException("already closed");
        }
    }
}
