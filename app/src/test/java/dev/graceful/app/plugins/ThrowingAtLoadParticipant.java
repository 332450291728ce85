package dev.graceful.app.plugins;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A test plugin whose constructor throws, as a broken provider does. */
public final class ThrowingAtLoadParticipant implements ShutdownParticipant {

    /** Called by ServiceLoader; always throws. */
    public ThrowingAtLoadParticipant() {
        throw new IllegalStateException("cannot connect to the discovery service");
    }

    @Override
    public void shutdown(ShutdownContext context) {
    }
}
