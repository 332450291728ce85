package dev.graceful.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A well-formed service provider that completes at once, within its 2 s timeout, and counts its runs. */
public final class QuickParticipant implements ShutdownParticipant {

    private final AtomicInteger runs = new AtomicInteger();

    /** Creates the participant; called by {@link java.util.ServiceLoader}. */
    public QuickParticipant() {
    }

    @Override
    public Optional<Duration> timeout() {
        return Optional.of(Duration.ofSeconds(2));
    }

    @Override
    public void shutdown(ShutdownContext context) {
        context.record("runs", runs.incrementAndGet());
    }
}
