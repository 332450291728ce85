package dev.graceful;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.graceful.ParticipantOutcome.TimedOut;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.READINESS;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ShutdownCoordinatorDeadlineTest {

    /** How late {@code run} may return after the moment it should have; loose, as build machines are noisy. */
    private static final Duration EPSILON = Duration.ofSeconds(1);
    /** What a clock may lose to rounding between the coordinator's measurement and ours. */
    private static final Duration MARGIN = Duration.ofMillis(50);

    private final Recorder recorder = new Recorder();
    private final List<StubbornParticipant> stubborn = new ArrayList<>();

    @AfterEach
    void releaseStubbornParticipants() {
        stubborn.forEach(StubbornParticipant::release);
    }

    @Test
    void capsAParticipantBudgetAtTheTimeLeftBeforeTheDeadline() {
        RecordingParticipant participant = new RecordingParticipant("pool", RELEASE, recorder)
                .withTimeout(Duration.ofSeconds(10));
        ShutdownCoordinator coordinator = coordinator(Duration.ofMillis(300), participant);

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(participant.remainingAtStart(), lessThanOrEqualTo(Duration.ofMillis(300)));
        assertThat(participant.remainingAtStart(), greaterThan(Duration.ZERO));
        assertThat(Duration.between(report.startedAt(), participant.context().budgetEnd()),
                   lessThanOrEqualTo(Duration.ofMillis(300)));
    }

    @Test
    void capsAParticipantBudgetAtItsOwnTimeout() {
        RecordingParticipant participant = new RecordingParticipant("pool", RELEASE, recorder)
                .withTimeout(Duration.ofMillis(200));
        ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(10), participant);

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(participant.remainingAtStart(), lessThanOrEqualTo(Duration.ofMillis(200)));
        Duration budgetEnd = Duration.between(report.startedAt(), participant.context().budgetEnd());
        assertThat(budgetEnd, greaterThanOrEqualTo(Duration.ofMillis(200)));
        assertThat(budgetEnd, lessThan(Duration.ofMillis(200).plus(EPSILON)));
    }

    @Test
    void replacesAParticipantDefaultTimeoutWithTheConfiguredOne() {
        RecordingParticipant shortened = new RecordingParticipant("shortened", DRAIN, recorder)
                .withTimeout(Duration.ofSeconds(10));
        RecordingParticipant lengthened = new RecordingParticipant("lengthened", RELEASE, recorder)
                .withTimeout(Duration.ofMillis(200));
        ShutdownConfig config = ShutdownConfig.fromProperties(Map.of(
                "shutdown.deadline", "20s",
                "shutdown.participants.shortened.timeout", "200ms",
                "shutdown.participants.lengthened.timeout", "5s"));
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(config)
                .add(shortened)
                .add(lengthened)
                .build();

        coordinator.run(ShutdownReason.SIGTERM);

        assertThat(shortened.remainingAtStart(), lessThanOrEqualTo(Duration.ofMillis(200)));
        // Replaced, not combined with min(): the configured 5 s wins over the participant's own 200 ms.
        assertThat(lengthened.remainingAtStart(), greaterThan(Duration.ofSeconds(1)));
        assertThat(lengthened.remainingAtStart(), lessThanOrEqualTo(Duration.ofSeconds(5)));
    }

    @Test
    void drawsEveryBudgetFromOneDeadlineCountedFromTheRun() throws Exception {
        HangingParticipant first = new HangingParticipant("first", DRAIN).withTimeout(Duration.ofMillis(200));
        RecordingParticipant second = new RecordingParticipant("second", RELEASE, recorder);
        ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(10), first, second);

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(first.awaitInterrupted(), is(true));
        // The 200 ms "first" spent came off the one deadline: "second" did not get a fresh 10 s.
        assertThat(second.remainingAtStart(), lessThanOrEqualTo(Duration.ofMillis(9_800)));
        assertThat(Duration.between(report.startedAt(), second.context().budgetEnd()), is(Duration.ofSeconds(10)));
    }

    /** This covers a bug where a timeout too long to count in nanoseconds made {@code run} throw, with no report. */
    @Test
    void runsAParticipantWhoseTimeoutIsTooLongToCountInNanoseconds() {
        RecordingParticipant participant = new RecordingParticipant("patient", RELEASE, recorder)
                .withTimeout(Duration.ofDays(365_000));
        ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(10), participant);

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(report.isClean(), is(true));
        assertThat(participant.remainingAtStart(), lessThanOrEqualTo(Duration.ofSeconds(10)));
    }

    /** This covers a bug where a deadline too long to count in nanoseconds made {@code run} throw, with no report. */
    @Test
    void runsUnderADeadlineTooLongToCountInNanoseconds() {
        RecordingParticipant participant = new RecordingParticipant("pool", RELEASE, recorder)
                .withTimeout(Duration.ofMillis(200));
        ShutdownCoordinator coordinator = coordinator(Duration.ofDays(365_000), participant);

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(report.isClean(), is(true));
        assertThat(report.deadline(), is(Duration.ofDays(365_000)));
        assertThat(participant.remainingAtStart(), lessThanOrEqualTo(Duration.ofMillis(200)));
    }

    @Test
    void interruptsAParticipantThatOverrunsItsTimeoutAndMovesOn() throws Exception {
        HangingParticipant hanging = new HangingParticipant("hanging", DRAIN).withTimeout(Duration.ofMillis(200));
        RecordingParticipant next = new RecordingParticipant("next", RELEASE, recorder);
        ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(10), hanging, next);

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(hanging.awaitInterrupted(), is(true));
        ParticipantOutcome outcome = report.outcome("hanging").orElseThrow();
        assertThat(outcome, instanceOf(TimedOut.class));
        assertThat(outcome.error().orElseThrow(), containsString("timeout of 200ms"));
        assertThat(outcome.elapsed(), greaterThanOrEqualTo(Duration.ofMillis(200).minus(MARGIN)));
        assertThat("returned from the interrupt", ((TimedOut) outcome).abandoned(), is(false));
        assertThat("figures recorded while returning", outcome.figures().get("interrupted"), is(1L));
        assertThat(report.outcome("next").orElseThrow().kind(), is("COMPLETED"));
        assertThat(next.calls(), is(1));
        assertThat(report.elapsed(), lessThan(Duration.ofMillis(200).plus(EPSILON)));
    }

    /** The warning for a participant given up on carries the stack it was stuck in: what a hung plugin was doing. */
    @Test
    void warnsWithTheStackAParticipantWasStuckInWhenItsBudgetEnded() throws Exception {
        HangingParticipant hanging = new HangingParticipant("hanging", DRAIN).withTimeout(Duration.ofMillis(100));
        RecordingParticipant quick = new RecordingParticipant("quick", DRAIN, recorder);
        List<LogRecord> warnings = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.graceful");
        logger.addHandler(handler);
        try {
            coordinator(Duration.ofSeconds(10), hanging, quick).run(ShutdownReason.SIGTERM);
        } finally {
            logger.removeHandler(handler);
        }

        assertThat(warnings.size(), is(1));
        LogRecord warning = warnings.get(0);
        assertThat(warning.getMessage(), containsString("'hanging'"));
        Throwable where = warning.getThrown();
        assertThat("the warning carries where it was stuck", where != null, is(true));
        assertThat(where.getMessage(), containsString("participant 'hanging' was here"));
        List<String> frames = new ArrayList<>();
        for (StackTraceElement frame : where.getStackTrace()) {
            frames.add(frame.getClassName() + "." + frame.getMethodName());
        }
        assertThat(frames, hasItem(HangingParticipant.class.getName() + ".shutdown"));
    }

    @Test
    void abandonsAParticipantThatIgnoresInterruptionAndMovesOn() throws Exception {
        StubbornParticipant stuck = stubborn(new StubbornParticipant("stuck", DRAIN)
                                                     .withTimeout(Duration.ofMillis(200)));
        RecordingParticipant next = new RecordingParticipant("next", RELEASE, recorder);
        ShutdownCoordinator coordinator = coordinator(Duration.ofSeconds(10), stuck, next);

        ShutdownReport report = assertTimeoutPreemptively(Duration.ofSeconds(5),
                                                          () -> coordinator.run(ShutdownReason.SIGTERM));

        assertThat(stuck.awaitInterrupted(), is(true));
        assertThat(stuck.hasEnded(), is(false));
        assertThat(report.outcome("stuck").orElseThrow(), instanceOf(TimedOut.class));
        assertThat(((TimedOut) report.outcome("stuck").orElseThrow()).abandoned(), is(true));
        assertThat(report.outcome("stuck").orElseThrow().error().orElseThrow(), containsString("abandoned"));
        assertThat(report.outcome("next").orElseThrow().kind(), is("COMPLETED"));
        assertThat(next.calls(), is(1));
        assertThat(report.elapsed(), lessThan(Duration.ofMillis(200).plus(EPSILON)));
    }

    @Test
    void timesOutRunningAndSkipsUnstartedParticipantsAtTheDeadline() throws Exception {
        Duration deadline = Duration.ofMillis(300);
        RecordingParticipant readiness = new RecordingParticipant("readiness", READINESS, recorder);
        HangingParticipant drainOne = new HangingParticipant("drain-one", DRAIN);
        HangingParticipant drainTwo = new HangingParticipant("drain-two", DRAIN);
        RecordingParticipant release = new RecordingParticipant("release", RELEASE, recorder);
        ShutdownCoordinator coordinator = coordinator(deadline, release, drainOne, drainTwo, readiness);

        long start = System.nanoTime();
        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);
        Duration returnedAfter = Duration.ofNanos(System.nanoTime() - start);

        assertThat(returnedAfter, lessThan(deadline.plus(EPSILON)));
        assertThat(report.elapsed(), greaterThanOrEqualTo(deadline.minus(MARGIN)));
        assertThat(report.outcomes().stream().map(o -> o.name() + "=" + o.kind()).toList(),
                   contains("readiness=COMPLETED", "drain-one=TIMED_OUT",
                           "drain-two=TIMED_OUT", "release=SKIPPED"));
        assertThat(drainOne.awaitInterrupted(), is(true));
        assertThat(drainTwo.awaitInterrupted(), is(true));
        assertThat(report.outcome("drain-one").orElseThrow().error().orElseThrow(),
                   containsString("global deadline of 300ms"));
        assertThat(report.outcome("release").orElseThrow().error().orElseThrow(),
                   containsString("global deadline of 300ms was spent"));
        assertThat(release.calls(), is(0));
        assertThat(report.hasHitDeadline(), is(true));
        assertThat(report.isClean(), is(false));
    }

    @Test
    void returnsAtTheDeadlineEvenWhenAParticipantIgnoresInterruption() throws Exception {
        Duration deadline = Duration.ofMillis(300);
        StubbornParticipant stuck = stubborn(new StubbornParticipant("stuck", DRAIN));
        RecordingParticipant release = new RecordingParticipant("release", RELEASE, recorder);
        ShutdownCoordinator coordinator = coordinator(deadline, stuck, release);

        long start = System.nanoTime();
        ShutdownReport report = assertTimeoutPreemptively(Duration.ofSeconds(5),
                                                          () -> coordinator.run(ShutdownReason.SIGTERM));
        Duration returnedAfter = Duration.ofNanos(System.nanoTime() - start);

        assertThat(returnedAfter, lessThan(deadline.plus(EPSILON)));
        assertThat(stuck.awaitInterrupted(), is(true));
        assertThat(stuck.hasEnded(), is(false));
        assertThat(report.outcome("stuck").orElseThrow().kind(), is("TIMED_OUT"));
        assertThat(report.outcome("release").orElseThrow().kind(), is("SKIPPED"));
        assertThat(report.isClean(), is(false));
    }

    private StubbornParticipant stubborn(StubbornParticipant participant) {
        stubborn.add(participant);
        return participant;
    }

    private static ShutdownCoordinator coordinator(Duration deadline, ShutdownParticipant... participants) {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder()
                .config(ShutdownConfig.defaults().withDeadline(deadline));
        for (ShutdownParticipant p : participants) {
            builder.add(p);
        }
        return builder.build();
    }
}
