package dev.graceful;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import dev.graceful.ParticipantOutcome.TimedOut;
import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.READINESS;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShutdownCoordinatorReserveTest {

    private final Recorder recorder = new Recorder();

    /** This covers a bug where a drain bounded only by the deadline used it all and the flush after it was skipped. */
    @Test
    void reservesTheMinimumBudgetsOfLaterParticipantsFromEarlierOnes() {
        HangingParticipant drain = new HangingParticipant("drain", DRAIN);
        RecordingParticipant flush = new RecordingParticipant("flush", RELEASE, recorder)
                .withMinimumBudget(Duration.ofMillis(800));
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(ShutdownConfig.defaults().withDeadline(Duration.ofMillis(1_500)))
                .add(drain).add(flush).build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        ParticipantOutcome drained = report.outcome("drain").orElseThrow();
        assertThat(drained, instanceOf(TimedOut.class));
        assertThat(drained.error().orElseThrow(), containsString("reserved for the minimum budgets"));
        assertThat(drained.elapsed(), lessThan(Duration.ofMillis(1_200)));
        assertThat(report.outcome("flush").orElseThrow().kind(), is("COMPLETED"));
        assertThat(flush.remainingAtStart(), greaterThan(Duration.ofMillis(500)));
    }

    @Test
    void rejectsADeadlineThatCannotCoverTheReadinessDelayPlusTheMinimumBudgets() {
        ShutdownConfig config = ShutdownConfig.defaults().withDeadline(Duration.ofSeconds(3))
                .withReadinessDelay(Duration.ofSeconds(2));
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder().config(config)
                .add(new RecordingParticipant("ready", READINESS, recorder))
                .add(new RecordingParticipant("flush", RELEASE, recorder).withMinimumBudget(Duration.ofSeconds(2)));

        ShutdownConfigException e = assertThrows(ShutdownConfigException.class, builder::build);

        assertThat(e.key(), is(ShutdownConfig.DEADLINE));
        assertThat(e.getMessage(), containsString("flush 2s"));
        assertThat(e.getMessage(), containsString("= 4s"));
    }

    @Test
    void rejectsAGracePeriodThatTheDeadlineDoesNotFitInside() {
        ShutdownConfigException e = assertThrows(ShutdownConfigException.class, () -> ShutdownConfig.fromProperties(
                Map.of("shutdown.deadline", "25s", "shutdown.grace-period", "25s")));

        assertThat(e.key(), is(ShutdownConfig.GRACE_PERIOD));
        assertThat(e.getMessage(), containsString("SIGKILL"));
        assertThat(ShutdownConfig.fromProperties(Map.of("shutdown.deadline", "25s", "shutdown.grace-period", "30s"))
                           .gracePeriod(), is(Optional.of(Duration.ofSeconds(30))));
    }

    @Test
    void reportsHowLongEachPhaseTook() {
        RecordingParticipant ready = new RecordingParticipant("ready", READINESS, recorder)
                .doing(context -> Thread.sleep(50));
        RecordingParticipant flush = new RecordingParticipant("flush", RELEASE, recorder);
        ShutdownReport report = ShutdownCoordinator.builder().add(ready).add(flush).build()
                .run(ShutdownReason.SIGTERM);

        assertThat(report.phases().keySet().toString(), is("[READINESS, RELEASE]"));
        assertThat(report.phases().get(READINESS), greaterThanOrEqualTo(Duration.ofMillis(45)));
        assertThat(report.toJson(), containsString("\"phasesMs\":{\"READINESS\":"));
    }

    @Test
    void printsTheDeadlineArithmeticInThePlan() {
        ShutdownConfig config = ShutdownConfig.fromProperties(Map.of("shutdown.deadline", "20s",
                                                                     "shutdown.readiness-delay", "5s",
                                                                     "shutdown.grace-period", "30s"));
        ShutdownPlan plan = ShutdownCoordinator.builder().config(config)
                .add(new RecordingParticipant("flush", RELEASE, recorder).withMinimumBudget(Duration.ofSeconds(2)))
                .build().plan();

        assertThat(plan.arithmetic(), is("readiness delay 5s + minimum budgets 2s = 7s <= deadline 20s; "
                                                 + "deadline 20s + margin 10s = grace period 30s"));
        assertThat(plan.toTable(), containsString(plan.arithmetic()));
    }
}
