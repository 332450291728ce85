package dev.graceful;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A service provider whose public no-argument constructor throws, as a misconfigured plugin's would. */
public final class ThrowingConstructorParticipant implements ShutdownParticipant {

    public ThrowingConstructorParticipant() {
        throw new IllegalStateException("plugin misconfigured");
    }

    @Override
    public void shutdown(ShutdownContext context) {
    }
}
