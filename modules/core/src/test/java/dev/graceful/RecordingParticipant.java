package dev.graceful;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/** Records its start and end into a shared {@link Recorder}, with optional work in between, and keeps its context. */
final class RecordingParticipant implements ShutdownParticipant {

    /** Work done between the recorded start and end. */
    @FunctionalInterface
    interface Work {
        void run(ShutdownContext context) throws Exception;
    }

    private final String name;
    private final ShutdownPhase phase;
    private final int order;
    private final Recorder recorder;
    private final AtomicInteger calls = new AtomicInteger();
    private Optional<Duration> timeout = Optional.empty();
    private Duration minimumBudget = Duration.ZERO;
    private Work work = context -> { };
    private volatile ShutdownContext context;
    private volatile Duration remainingAtStart;

    RecordingParticipant(String name, ShutdownPhase phase, Recorder recorder) {
        this(name, phase, 0, recorder);
    }

    RecordingParticipant(String name, ShutdownPhase phase, int order, Recorder recorder) {
        this.name = name;
        this.phase = phase;
        this.order = order;
        this.recorder = Objects.requireNonNull(recorder, "recorder");
    }

    RecordingParticipant withTimeout(Duration timeout) {
        this.timeout = Optional.of(timeout);
        return this;
    }

    RecordingParticipant withMinimumBudget(Duration minimum) {
        this.minimumBudget = minimum;
        return this;
    }

    @Override
    public Duration minimumBudget() {
        return minimumBudget;
    }

    RecordingParticipant doing(Work work) {
        this.work = work;
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
    public int order() {
        return order;
    }

    @Override
    public Optional<Duration> timeout() {
        return timeout;
    }

    @Override
    public void shutdown(ShutdownContext context) throws Exception {
        calls.incrementAndGet();
        this.remainingAtStart = context.remaining();
        this.context = context;
        recorder.record(name + ":start");
        try {
            work.run(context);
        } finally {
            recorder.record(name + ":end");
        }
    }

    int calls() {
        return calls.get();
    }

    ShutdownContext context() {
        return context;
    }

    Duration remainingAtStart() {
        return remainingAtStart;
    }
}
