package dev.graceful.testing;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A service provider that takes the name of {@link QuickParticipant}. */
public final class DuplicateNameParticipant implements ShutdownParticipant {

    /** Creates the participant; called by {@link java.util.ServiceLoader}. */
    public DuplicateNameParticipant() {
    }

    @Override
    public String name() {
        return "quick-participant";
    }

    @Override
    public void shutdown(ShutdownContext context) {
    }
}
