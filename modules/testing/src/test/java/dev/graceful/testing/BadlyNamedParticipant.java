package dev.graceful.testing;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A service provider, listed and instantiable, whose name is not kebab-case. */
public final class BadlyNamedParticipant implements ShutdownParticipant {

    /** Creates the participant; called by {@link java.util.ServiceLoader}. */
    public BadlyNamedParticipant() {
    }

    @Override
    public String name() {
        return "Badly_Named";
    }

    @Override
    public void shutdown(ShutdownContext context) {
    }
}
