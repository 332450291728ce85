package dev.graceful;

import java.util.Map;

import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShutdownContextTest {

    private final Recorder recorder = new Recorder();

    @Test
    void passesTheReasonToParticipants() {
        RecordingParticipant participant = new RecordingParticipant("pool", RELEASE, recorder);

        ShutdownCoordinator.builder().add(participant).build().run(ShutdownReason.RESTART);

        assertThat(participant.context().reason(), is(ShutdownReason.RESTART));
    }

    @Test
    void passesConfiguredSettingsToTheirParticipantOnly() {
        RecordingParticipant pool = new RecordingParticipant("db-pool", RELEASE, recorder);
        RecordingParticipant other = new RecordingParticipant("other", DRAIN, recorder);
        ShutdownConfig config = ShutdownConfig.fromProperties(Map.of(
                "shutdown.participants.db-pool.settings.url", "jdbc:h2:./data/events",
                "shutdown.participants.db-pool.settings.pool.size", "4"));

        ShutdownCoordinator.builder().config(config).add(pool).add(other).build().run(ShutdownReason.SIGTERM);

        assertThat(pool.context().settings(), is(Map.of("url", "jdbc:h2:./data/events", "pool.size", "4")));
        assertThat(other.context().settings(), is(Map.of()));
    }

    @Test
    void recordsFiguresInTheOutcomeWithTheLatestValuePerKey() {
        RecordingParticipant participant = new RecordingParticipant("events-flush", RELEASE, recorder)
                .doing(context -> {
                    context.record("flushed", 1);
                    context.record("flushed", 120);
                    context.record("batches", 3);
                    context.log("flushed 120 events in 3 batches");
                });

        ShutdownReport report = ShutdownCoordinator.builder().add(participant).build().run(ShutdownReason.SIGTERM);

        assertThat(report.outcome("events-flush").orElseThrow().figures(), is(Map.of("flushed", 120L, "batches", 3L)));
        assertThat(report.toJson().contains("\"figures\":{\"batches\":3,\"flushed\":120}"), is(true));
    }

    @Test
    void rejectsAFigureWithoutAKey() {
        RecordingParticipant participant = new RecordingParticipant("pool", RELEASE, recorder)
                .doing(context -> context.record(null, 1));

        ShutdownReport report = ShutdownCoordinator.builder().add(participant).build().run(ShutdownReason.SIGTERM);

        assertThat(report.outcome("pool").orElseThrow().kind(), is("FAILED"));
        assertThrows(NullPointerException.class, () -> participant.context().record(null, 1));
    }
}
