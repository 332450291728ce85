package dev.graceful;

import java.io.IOException;

import dev.graceful.ParticipantOutcome.Failed;
import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

class ShutdownCoordinatorFailureTest {

    private final Recorder recorder = new Recorder();

    @Test
    void recordsAParticipantThatThrowsAsFailedWithItsCauseAndRunsTheRest() {
        IllegalStateException boom = new IllegalStateException("pool already closed");
        FailingParticipant failing = new FailingParticipant("failing", DRAIN, boom);
        RecordingParticipant peer = new RecordingParticipant("peer", DRAIN, recorder);
        RecordingParticipant later = new RecordingParticipant("later", RELEASE, recorder);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(failing)
                .add(peer)
                .add(later)
                .build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        ParticipantOutcome outcome = report.outcome("failing").orElseThrow();
        assertThat(outcome, instanceOf(Failed.class));
        assertThat(((Failed) outcome).cause(), sameInstance(boom));
        assertThat(outcome.kind(), is("FAILED"));
        assertThat(outcome.error().orElseThrow(), is("java.lang.IllegalStateException: pool already closed"));
        assertThat(failing.calls(), is(1));
        assertThat(recorder.events(), contains("peer:start", "peer:end", "later:start", "later:end"));
        assertThat(report.outcome("peer").orElseThrow().kind(), is("COMPLETED"));
        assertThat(report.outcome("later").orElseThrow().kind(), is("COMPLETED"));
        assertThat(report.isClean(), is(false));
    }

    @Test
    void recordsACheckedExceptionAsFailed() {
        IOException ioFailure = new IOException("disk full");
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new FailingParticipant("flush", RELEASE, ioFailure))
                .add(new RecordingParticipant("close", RELEASE, 1, recorder))
                .build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(((Failed) report.outcome("flush").orElseThrow()).cause(), sameInstance(ioFailure));
        assertThat(report.outcome("close").orElseThrow().kind(), is("COMPLETED"));
    }

    @Test
    void keepsFiguresRecordedBeforeAParticipantThrew() {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("flush", RELEASE, recorder).doing(context -> {
                    context.record("flushed", 7);
                    throw new IllegalStateException("connection lost");
                }))
                .build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        ParticipantOutcome outcome = report.outcome("flush").orElseThrow();
        assertThat(outcome.kind(), is("FAILED"));
        assertThat(outcome.figures().get("flushed"), is(7L));
        assertThat(outcome.error().orElseThrow(), containsString("connection lost"));
    }
}
