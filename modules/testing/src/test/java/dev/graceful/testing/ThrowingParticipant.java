package dev.graceful.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** Throws {@code IOException("disk full")} at once, within its 2 s timeout. */
final class ThrowingParticipant implements ShutdownParticipant {

    @Override
    public Optional<Duration> timeout() {
        return Optional.of(Duration.ofSeconds(2));
    }

    @Override
    public void shutdown(ShutdownContext context) throws IOException {
        throw new IOException("disk full");
    }
}
