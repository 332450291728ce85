package dev.graceful.testing;

import java.io.IOException;
import java.time.Duration;

import dev.graceful.ParticipantOutcome.Completed;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.graceful.testing.ParticipantAssertions.assertCompletesWithinTimeout;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParticipantAssertionsTimeoutTest {

    private final OverrunningParticipant overrunning = new OverrunningParticipant();

    @AfterEach
    void releaseOverrunningParticipant() {
        overrunning.release();
    }

    @Test
    void passesAParticipantThatCompletesWithinItsTimeout() {
        Completed outcome = assertCompletesWithinTimeout(new QuickParticipant());

        assertThat(outcome.figures().get("runs"), is(1L));
    }

    @Test
    void failsAParticipantThatOverrunsItsDeclaredTimeout() {
        AssertionError e = assertThrows(AssertionError.class, () -> assertCompletesWithinTimeout(overrunning));

        assertThat(e.getMessage(), containsString("participant 'overrunning-participant' did not finish within its"
                                                          + " timeout of 100ms: it was interrupted after"));
        assertThat(e.getMessage(), containsString("and returned"));
        assertThat(e.getMessage(), containsString("make its work faster or declare a longer timeout()"));
    }

    @Test
    void failsAParticipantThatOverrunsATimeoutGivenByTheProbe() {
        ParticipantProbe probe = ParticipantProbe.of(new HangingParticipant()).timeout(Duration.ofMillis(150));

        AssertionError e = assertThrows(AssertionError.class, () -> assertCompletesWithinTimeout(probe));

        assertThat(e.getMessage(), containsString("did not finish within its timeout of 150ms"));
    }

    @Test
    void failsAParticipantThatDeclaresNoTimeout() {
        AssertionError e = assertThrows(AssertionError.class,
                                        () -> assertCompletesWithinTimeout(new OnceOnlyParticipant()));

        assertThat(e.getMessage(), containsString("participant 'once-only-participant' declares no timeout"));
        assertThat(e.getMessage(), containsString("return Optional.of(...) from timeout()"));
    }

    @Test
    void failsAParticipantThatThrowsKeepingItsExceptionAsTheCause() {
        AssertionError e = assertThrows(AssertionError.class,
                                        () -> assertCompletesWithinTimeout(new ThrowingParticipant()));

        assertThat(e.getMessage(), containsString("participant 'throwing-participant' failed after"));
        assertThat(e.getMessage(), containsString("java.io.IOException: disk full"));
        assertThat(e.getCause(), instanceOf(IOException.class));
    }

    @Test
    void failsAParticipantTheCoordinatorRefuses() {
        ParticipantProbe probe = ParticipantProbe.of(new BadlyNamedParticipant()).timeout(Duration.ofSeconds(1));

        AssertionError e = assertThrows(AssertionError.class, () -> assertCompletesWithinTimeout(probe));

        assertThat(e.getMessage(), containsString("cannot be run"));
        assertThat(e.getMessage(), containsString("not kebab-case"));
    }
}
