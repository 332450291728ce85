package dev.graceful.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/** Keeps the context it was given and the time it had left at its start; appends its name to a shared recorder. */
final class ContextRecordingParticipant implements ShutdownParticipant {

    private final String name;
    private final ShutdownPhase phase;
    private final StringBuffer recorder;
    private Optional<Duration> timeout = Optional.empty();
    private volatile ShutdownContext context;
    private volatile Duration remainingAtStart;

    ContextRecordingParticipant(String name, ShutdownPhase phase, StringBuffer recorder) {
        this.name = name;
        this.phase = phase;
        this.recorder = Objects.requireNonNull(recorder, "recorder");
    }

    ContextRecordingParticipant withTimeout(Duration timeout) {
        this.timeout = Optional.of(timeout);
        return this;
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
    public Optional<Duration> timeout() {
        return timeout;
    }

    @Override
    public void shutdown(ShutdownContext context) {
        remainingAtStart = context.remaining();
        this.context = context;
        recorder.append(name).append(' ');
    }

    ShutdownContext context() {
        return context;
    }

    Duration remainingAtStart() {
        return remainingAtStart;
    }
}
