package dev.graceful.example;

import java.time.Duration;

import dev.graceful.ParticipantOutcome;
import dev.graceful.ParticipantOutcome.Completed;
import dev.graceful.ParticipantOutcome.TimedOut;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;
import dev.graceful.testing.ParticipantProbe;

import org.junit.jupiter.api.Test;

import static dev.graceful.testing.ParticipantAssertions.assertCompletesWithinTimeout;
import static dev.graceful.testing.ParticipantAssertions.assertDiscoverable;
import static dev.graceful.testing.ParticipantAssertions.assertHonoursRemaining;
import static dev.graceful.testing.ParticipantAssertions.assertRerunnable;
import static dev.graceful.testing.ParticipantAssertions.assertRespondsToInterruption;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

/**
 * The template for a plugin that closes a real resource: each property of the participant contract is checked with
 * the {@code graceful-testing} kit against a fake endpoint that answers, or never does.
 */
class StopNotifierParticipantIT {

    private final StopNotifierParticipant participant = new StopNotifierParticipant();

    @Test
    void isDiscoverable() {
        StopNotifierParticipant found = assertDiscoverable(StopNotifierParticipant.class);

        assertThat(found.name(), is("stop-notifier"));
        assertThat(found.phase(), is(ShutdownPhase.READINESS));
    }

    @Test
    void postsTheReasonWithinItsTimeout() throws Exception {
        try (FakeEndpoint endpoint = FakeEndpoint.answering(204)) {
            Completed outcome = assertCompletesWithinTimeout(probe(endpoint).reason(ShutdownReason.SIGINT));

            assertThat(outcome.figures().get("notified"), is(1L));
            assertThat(outcome.figures().get("status"), is(204L));
            assertThat(endpoint.bodies(), contains("{\"event\":\"stopping\",\"reason\":\"SIGINT\"}"));
        }
    }

    @Test
    void doesNothingWithoutAUrl() {
        Completed outcome = assertCompletesWithinTimeout(participant);

        assertThat(outcome.figures().get("notified"), is(0L));
    }

    @Test
    void returnsWhenInterruptedWhileTheEndpointDoesNotAnswer() throws Exception {
        try (FakeEndpoint endpoint = FakeEndpoint.hanging()) {
            TimedOut outcome = assertRespondsToInterruption(probe(endpoint), Duration.ofMillis(300));

            assertThat(endpoint.awaitRequest(), is(true));
            assertThat(outcome.abandoned(), is(false));
        }
    }

    @Test
    void givesUpWithinItsBudgetWhenTheEndpointDoesNotAnswer() throws Exception {
        try (FakeEndpoint endpoint = FakeEndpoint.hanging()) {
            Completed outcome = assertHonoursRemaining(probe(endpoint), Duration.ofSeconds(1));

            assertThat(endpoint.awaitRequest(), is(true));
            assertThat(outcome.figures().get("notified"), is(0L));
        }
    }

    @Test
    void doesNotSendWhenLessThanItsCloseReserveIsLeft() throws Exception {
        try (FakeEndpoint endpoint = FakeEndpoint.hanging()) {
            Completed outcome = assertHonoursRemaining(probe(endpoint), Duration.ofMillis(60));

            assertThat(outcome.figures().get("notified"), is(0L));
            assertThat(endpoint.connections(), is(0));
        }
    }

    @Test
    void failsNamingTheStatusWhenTheEndpointRefuses() throws Exception {
        try (FakeEndpoint endpoint = FakeEndpoint.answering(503)) {
            ParticipantOutcome outcome = probe(endpoint).run().outcome(StopNotifierParticipant.NAME).orElseThrow();

            assertThat(outcome, instanceOf(ParticipantOutcome.Failed.class));
            assertThat(outcome.error().orElseThrow(), containsString("answered 503; expected 2xx"));
            assertThat(outcome.figures().get("status"), is(503L));
        }
    }

    @Test
    void isRerunnable() throws Exception {
        try (FakeEndpoint endpoint = FakeEndpoint.answering(204)) {
            assertRerunnable(probe(endpoint));

            assertThat(endpoint.bodies().size(), is(2));
        }
    }

    private ParticipantProbe probe(FakeEndpoint endpoint) {
        return ParticipantProbe.of(participant).setting("url", endpoint.uri().toString());
    }
}
