package dev.graceful.app.plugins;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A test plugin that throws in {@code shutdown}. */
public final class ThrowingParticipant implements ShutdownParticipant {

    /** Called by ServiceLoader. */
    public ThrowingParticipant() {
    }

    @Override
    public String name() {
        return "throwing";
    }

    @Override
    public void shutdown(ShutdownContext context) {
        throw new IllegalStateException("deregistration refused");
    }
}
