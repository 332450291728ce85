package dev.graceful;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.graceful.ParticipantOutcome.Skipped;
import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.READINESS;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.sameInstance;

class ShutdownCoordinatorRunOnceTest {

    private static final Duration LONG_DEADLINE = Duration.ofSeconds(30);

    private final Recorder recorder = new Recorder();
    private final List<StubbornParticipant> stubborn = new ArrayList<>();

    @AfterEach
    void releaseStubbornParticipants() {
        stubborn.forEach(StubbornParticipant::release);
    }

    @Test
    void returnsTheSameReportWhenRunAgainAndStartsNothing() {
        RecordingParticipant participant = new RecordingParticipant("pool", RELEASE, recorder);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder().add(participant).build();
        assertThat(coordinator.isStarted(), is(false));
        assertThat(coordinator.report().isPresent(), is(false));

        ShutdownReport first = coordinator.run(ShutdownReason.SIGTERM);
        ShutdownReport second = coordinator.run(ShutdownReason.SIGINT);

        assertThat(second, sameInstance(first));
        assertThat(second.reason(), is(ShutdownReason.SIGTERM));
        assertThat(participant.calls(), is(1));
        assertThat(coordinator.isStarted(), is(true));
        assertThat(coordinator.report().orElseThrow(), sameInstance(first));
    }

    @Test
    void makesASecondRunFromAnotherThreadWaitForTheFirstAndReturnItsReport() throws Exception {
        HangingParticipant hanging = new HangingParticipant("hanging", DRAIN).withTimeout(Duration.ofMillis(300));
        RecordingParticipant after = new RecordingParticipant("after", RELEASE, recorder);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(ShutdownConfig.defaults().withDeadline(LONG_DEADLINE))
                .add(hanging)
                .add(after)
                .build();

        BackgroundRun first = runInBackground(coordinator, ShutdownReason.SIGTERM);
        assertThat(hanging.awaitStarted(), is(true));
        BackgroundRun second = runInBackground(coordinator, ShutdownReason.SIGINT);

        ShutdownReport secondReport = second.get();
        ShutdownReport firstReport = first.get();
        assertThat(secondReport, sameInstance(firstReport));
        assertThat(secondReport.reason(), is(ShutdownReason.SIGTERM));
        assertThat(hanging.calls(), is(1));
        assertThat(after.calls(), is(1));
    }

    @Test
    void stopsAllWaitingAtOnceWhenForced() throws Exception {
        RecordingParticipant readiness = new RecordingParticipant("readiness", READINESS, recorder);
        HangingParticipant hanging = new HangingParticipant("hanging", DRAIN);
        RecordingParticipant release = new RecordingParticipant("release", RELEASE, recorder);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(ShutdownConfig.defaults().withDeadline(LONG_DEADLINE))
                .add(readiness)
                .add(hanging)
                .add(release)
                .build();
        BackgroundRun run = runInBackground(coordinator, ShutdownReason.SIGTERM);
        assertThat(hanging.awaitStarted(), is(true));
        run.awaitWaiting();

        coordinator.force();

        ShutdownReport report = run.get();
        assertThat(report.elapsed(), lessThan(Duration.ofSeconds(5)));
        assertThat(hanging.awaitInterrupted(), is(true));
        assertThat(report.outcome("readiness").orElseThrow().kind(), is("COMPLETED"));
        assertThat(report.outcome("hanging").orElseThrow().kind(), is("TIMED_OUT"));
        assertThat(report.outcome("hanging").orElseThrow().error().orElseThrow(), containsString("forced"));
        assertThat(report.outcome("release").orElseThrow().kind(), is("SKIPPED"));
        assertThat(report.outcome("release").orElseThrow().error().orElseThrow(), containsString("forced"));
        assertThat(release.calls(), is(0));
        assertThat(report.forced(), is(true));
        assertThat(report.isClean(), is(false));
    }

    @Test
    void stopsWaitingForAParticipantThatIgnoresInterruptionWhenForced() throws Exception {
        StubbornParticipant stuck = new StubbornParticipant("stuck", DRAIN);
        stubborn.add(stuck);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(ShutdownConfig.defaults().withDeadline(LONG_DEADLINE))
                .add(stuck)
                .add(new RecordingParticipant("release", RELEASE, recorder))
                .build();
        BackgroundRun run = runInBackground(coordinator, ShutdownReason.SIGTERM);
        assertThat(stuck.awaitStarted(), is(true));
        run.awaitWaiting();

        coordinator.force();

        ShutdownReport report = run.get();
        assertThat(stuck.hasEnded(), is(false));
        assertThat(report.outcome("stuck").orElseThrow().kind(), is("TIMED_OUT"));
        assertThat(report.outcome("release").orElseThrow().kind(), is("SKIPPED"));
        assertThat(report.forced(), is(true));
    }

    @Test
    void skipsEveryParticipantWhenForcedBeforeTheRun() {
        RecordingParticipant readiness = new RecordingParticipant("readiness", READINESS, recorder);
        RecordingParticipant release = new RecordingParticipant("release", RELEASE, recorder);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder().add(readiness).add(release).build();

        coordinator.force();
        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(report.outcomes(), everyItem(instanceOf(Skipped.class)));
        assertThat(report.outcomes().size(), is(2));
        assertThat(recorder.events().isEmpty(), is(true));
        assertThat(report.forced(), is(true));
        assertThat(report.isClean(), is(false));
    }

    @Test
    void changesNothingWhenForcedAfterTheRun() {
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("release", RELEASE, recorder))
                .build();
        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        coordinator.force();

        assertThat(coordinator.report().orElseThrow(), sameInstance(report));
        assertThat(coordinator.run(ShutdownReason.SIGTERM), sameInstance(report));
        assertThat(report.forced(), is(false));
        assertThat(report.isClean(), is(true));
    }

    private static BackgroundRun runInBackground(ShutdownCoordinator coordinator, ShutdownReason reason) {
        CompletableFuture<ShutdownReport> report = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().daemon().name("run-" + reason).start(() -> {
            try {
                report.complete(coordinator.run(reason));
            } catch (Throwable t) {
                report.completeExceptionally(t);
            }
        });
        return new BackgroundRun(thread, report);
    }

    /** A {@code run} on a thread of its own. */
    private record BackgroundRun(Thread thread, CompletableFuture<ShutdownReport> report) {

        ShutdownReport get() throws Exception {
            return report.get(5, TimeUnit.SECONDS);
        }

        /**
         * Waits until the coordinator thread is parked waiting for its participants, so that a {@code force()}
         * that follows has to wake it up rather than being seen before it starts to wait.
         */
        void awaitWaiting() {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.WAITING) {
                if (System.nanoTime() - giveUp > 0) {
                    throw new AssertionError("the coordinator never started waiting; it is " + thread.getState());
                }
                Thread.onSpinWait();
            }
        }
    }
}
