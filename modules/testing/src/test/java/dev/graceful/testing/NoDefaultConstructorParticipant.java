package dev.graceful.testing;

import java.util.Objects;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A listed participant that {@link java.util.ServiceLoader} cannot instantiate: its constructor takes an argument. */
public final class NoDefaultConstructorParticipant implements ShutdownParticipant {

    private final String target;

    /**
     * Creates the participant.
     *
     * @param target what it would close
     */
    public NoDefaultConstructorParticipant(String target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    @Override
    public void shutdown(ShutdownContext context) {
        context.log("closing " + target);
    }
}
