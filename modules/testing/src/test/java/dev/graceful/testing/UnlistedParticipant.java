package dev.graceful.testing;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A well-formed participant that no {@code META-INF/services} file lists. */
public final class UnlistedParticipant implements ShutdownParticipant {

    /** Creates the participant. */
    public UnlistedParticipant() {
    }

    @Override
    public void shutdown(ShutdownContext context) {
    }
}
