package dev.graceful.testing;

import dev.graceful.ParticipantOutcome.Completed;

import org.junit.jupiter.api.Test;

import static dev.graceful.testing.ParticipantAssertions.assertRerunnable;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParticipantAssertionsRerunTest {

    @Test
    void passesAParticipantThatCompletesASecondRun() {
        Completed second = assertRerunnable(new QuickParticipant());

        assertThat(second.figures().get("runs"), is(2L));
    }

    @Test
    void failsAParticipantThatThrowsOnASecondRun() {
        AssertionError e = assertThrows(AssertionError.class, () -> assertRerunnable(new OnceOnlyParticipant()));

        assertThat(e.getMessage(), containsString("participant 'once-only-participant' completed its first run but"
                                                          + " not a second one through a new coordinator (FAILED"));
        assertThat(e.getMessage(), containsString("java.lang.IllegalStateException: already closed"));
        assertThat(e.getMessage(), containsString("make shutdown() idempotent"));
        assertThat(e.getCause(), instanceOf(IllegalStateException.class));
    }

    @Test
    void failsAParticipantThatDoesNotCompleteItsFirstRun() {
        AssertionError e = assertThrows(AssertionError.class, () -> assertRerunnable(new ThrowingParticipant()));

        assertThat(e.getMessage(), containsString("did not complete its first run (FAILED"));
    }
}
