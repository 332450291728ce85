package dev.graceful.testing;

import java.time.Duration;

import dev.graceful.ParticipantOutcome.TimedOut;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.graceful.testing.ParticipantAssertions.assertRespondsToInterruption;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ParticipantAssertionsInterruptionTest {

    private static final Duration BUDGET = Duration.ofMillis(200);
    /** How long an assertion may take beyond the budget; loose, as build machines are noisy. */
    private static final Duration EPSILON = Duration.ofSeconds(3);
    /** What a clock may lose to rounding between the coordinator's measurement and ours. */
    private static final Duration MARGIN = Duration.ofMillis(50);

    private final OverrunningParticipant overrunning = new OverrunningParticipant();
    private final StubbornParticipant stubborn = new StubbornParticipant();
    private final SwallowingParticipant swallowing = new SwallowingParticipant();

    @AfterEach
    void releaseBlockedParticipants() {
        stubborn.release();
        swallowing.release();
        overrunning.release();
    }

    @Test
    void passesAParticipantThatReturnsWhenInterrupted() {
        TimedOut outcome = assertRespondsToInterruption(new HangingParticipant(), BUDGET);

        assertThat(outcome.abandoned(), is(false));
        assertThat("figures recorded while returning", outcome.figures().get("interrupted"), is(1L));
    }

    @Test
    void passesAParticipantThatBoundsItsWaitsByRemainingAndReturnsWhenInterrupted() {
        TimedOut outcome = assertRespondsToInterruption(new BoundedParticipant(), BUDGET);

        assertThat(outcome.abandoned(), is(false));
    }

    @Test
    void passesAParticipantThatIgnoresRemainingButReturnsWhenInterrupted() {
        TimedOut outcome = assertRespondsToInterruption(new FixedWorkParticipant(Duration.ofSeconds(30)), BUDGET);

        assertThat(outcome.abandoned(), is(false));
    }

    @Test
    void failsAParticipantThatIgnoresInterruption() {
        AssertionError e = assertTimeoutPreemptively(BUDGET.plus(EPSILON), () -> assertThrows(
                AssertionError.class, () -> assertRespondsToInterruption(stubborn, BUDGET)));

        assertThat(e.getMessage(), containsString("participant 'stubborn-participant' ignored the interrupt at its"
                                                          + " 200ms budget and was abandoned"));
        assertThat(e.getMessage(), containsString("it had not returned 1s after its budget ended"));
        assertThat(e.getMessage(), containsString("check Thread.interrupted()/InterruptedException in loops and"
                                                          + " use interruptible waits"));
    }

    /**
     * A participant that bounds its waits by remaining() returns at the end of its budget of its own accord, so
     * without the kit stretching what remaining() says, its swallowing of interrupts would go unseen.
     */
    @Test
    void failsAParticipantThatHonoursRemainingButIgnoresInterruption() {
        AssertionError e = assertTimeoutPreemptively(BUDGET.plus(EPSILON), () -> assertThrows(
                AssertionError.class, () -> assertRespondsToInterruption(swallowing, BUDGET)));

        assertThat(e.getMessage(), containsString("participant 'swallowing-participant' ignored the interrupt"));
    }

    @Test
    void failsWhenTheParticipantCompletesBeforeItsBudgetAsNothingWasTested() {
        AssertionError e = assertThrows(AssertionError.class,
                                        () -> assertRespondsToInterruption(new QuickParticipant(), BUDGET));

        assertThat(e.getMessage(), containsString("participant 'quick-participant' completed in"));
        assertThat(e.getMessage(), containsString("before its 200ms budget ended, so it was never interrupted"));
        assertThat(e.getMessage(), containsString("keeps it busy past its budget"));
    }

    @Test
    void failsWhenTheParticipantFailsBeforeItsBudget() {
        AssertionError e = assertThrows(AssertionError.class,
                                        () -> assertRespondsToInterruption(new ThrowingParticipant(), BUDGET));

        assertThat(e.getMessage(), containsString("failed after"));
        assertThat(e.getMessage(), containsString("disk full"));
    }

    @Test
    void interruptsAtTheGivenBudgetInPlaceOfTheParticipantsOwnTimeout() {
        Duration budget = OverrunningParticipant.DECLARED_TIMEOUT.multipliedBy(4);

        TimedOut outcome = assertRespondsToInterruption(overrunning, budget);

        assertThat(outcome.elapsed(), greaterThanOrEqualTo(budget.minus(MARGIN)));
        assertThat(outcome.why(), containsString("timeout of 400ms"));
    }
}
