package dev.graceful.testing;

import java.time.Duration;

import dev.graceful.ParticipantOutcome.Completed;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.graceful.testing.ParticipantAssertions.assertHonoursRemaining;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParticipantAssertionsRemainingTest {

    /** Long enough for a participant's thread to be scheduled on a busy machine. */
    private static final Duration BUDGET = Duration.ofMillis(400);

    private final SwallowingParticipant swallowing = new SwallowingParticipant();
    private final StubbornParticipant stubborn = new StubbornParticipant();

    @AfterEach
    void releaseBlockedParticipants() {
        swallowing.release();
        stubborn.release();
    }

    @Test
    void passesAParticipantThatCutsItsWorkShortToFitTheTimeLeft() {
        Completed outcome = assertHonoursRemaining(new BoundedParticipant(), BUDGET);

        assertThat(outcome.figures().get("cut-short"), is(1L));
        assertThat(outcome.elapsed(), lessThan(BUDGET));
    }

    @Test
    void passesAParticipantWhoseWorkFitsTheTimeLeft() {
        assertHonoursRemaining(new QuickParticipant(), BUDGET);
    }

    @Test
    void passesAParticipantThatHonoursRemainingEvenIfItIgnoresInterruption() {
        // Honouring remaining() and answering interrupts are separate checks: see assertRespondsToInterruption.
        assertHonoursRemaining(swallowing, BUDGET);
    }

    @Test
    void failsAParticipantThatIgnoresRemaining() {
        FixedWorkParticipant fixed = new FixedWorkParticipant(Duration.ofSeconds(30));

        AssertionError e = assertThrows(AssertionError.class, () -> assertHonoursRemaining(fixed, BUDGET));

        assertThat(e.getMessage(), containsString("participant 'fixed-work-participant' was still working when its"
                                                          + " 400ms budget ended and had to be interrupted:"));
        assertThat(e.getMessage(), containsString("it does not honour context.remaining()"));
        assertThat(e.getMessage(), containsString("check context.remaining() before each step"));
        assertThat(e.getMessage(), not(containsString("abandoned")));
    }

    @Test
    void failsAParticipantThatIgnoresRemainingAndInterruptionSayingBoth() {
        AssertionError e = assertThrows(AssertionError.class, () -> assertHonoursRemaining(stubborn, BUDGET));

        assertThat(e.getMessage(), containsString("had to be interrupted, and then ignored the interrupt and was"
                                                          + " abandoned"));
    }

    @Test
    void failsAParticipantThatThrowsWhenTimeIsShort() {
        AssertionError e = assertThrows(AssertionError.class,
                                        () -> assertHonoursRemaining(new ThrowingParticipant(), BUDGET));

        assertThat(e.getMessage(), containsString("participant 'throwing-participant' failed after"));
        assertThat(e.getMessage(), containsString("with a budget of 400ms: java.io.IOException: disk full"));
        assertThat(e.getCause(), instanceOf(java.io.IOException.class));
    }
}
