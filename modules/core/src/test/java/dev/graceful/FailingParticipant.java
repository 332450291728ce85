package dev.graceful;

import java.util.concurrent.atomic.AtomicInteger;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/** Throws the given exception as soon as it is called. */
final class FailingParticipant implements ShutdownParticipant {

    private final String name;
    private final ShutdownPhase phase;
    private final Exception failure;
    private final AtomicInteger calls = new AtomicInteger();

    FailingParticipant(String name, ShutdownPhase phase, Exception failure) {
        this.name = name;
        this.phase = phase;
        this.failure = failure;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ShutdownPhase phase() {
        return phase;
    }

    @Override
    public void shutdown(ShutdownContext context) throws Exception {
        calls.incrementAndGet();
        throw failure;
    }

    int calls() {
        return calls.get();
    }
}
