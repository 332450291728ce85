package dev.graceful;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A well-formed service provider with the default name that records a figure, so a test can see it ran. */
public final class DiscoverableParticipant implements ShutdownParticipant {

    @Override
    public void shutdown(ShutdownContext context) {
        context.record("discovered", 1);
    }
}
