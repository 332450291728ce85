package dev.graceful;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.READINESS;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

class ShutdownCoordinatorRehearsalTest {

    private final Recorder recorder = new Recorder();

    @Test
    void callsNoParticipantAndLeavesTheRealRunToCome() {
        RecordingParticipant readiness = new RecordingParticipant("readiness", READINESS, recorder);
        HangingParticipant hanging = new HangingParticipant("hanging", DRAIN).withTimeout(Duration.ofMillis(200));
        RecordingParticipant pool = new RecordingParticipant("pool", RELEASE, 100, recorder);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(ShutdownConfig.defaults().withDeadline(Duration.ofSeconds(30)))
                .add(readiness).add(hanging).add(pool)
                .build();

        ShutdownReport rehearsal = coordinator.rehearse();

        assertThat(rehearsal.outcomes(), everyItem(instanceOf(ParticipantOutcome.Completed.class)));
        assertThat(rehearsal.outcomes().stream().map(ParticipantOutcome::name).toList(),
                   contains("readiness", "hanging", "pool"));
        assertThat(rehearsal.outcomes().stream().map(ParticipantOutcome::phase).toList(),
                   contains(READINESS, DRAIN, RELEASE));
        // a participant that would hang the real run is not called: the rehearsal takes no time of its own
        assertThat(rehearsal.elapsed(), lessThan(Duration.ofSeconds(5)));
        assertThat(readiness.calls(), is(0));
        assertThat(hanging.calls(), is(0));
        assertThat(pool.calls(), is(0));
        assertThat(coordinator.isStarted(), is(false));
        assertThat(coordinator.report().isPresent(), is(false));

        ShutdownReport real = coordinator.run(ShutdownReason.SIGTERM);
        assertThat(readiness.calls(), is(1));
        assertThat(hanging.calls(), is(1));
        assertThat(pool.calls(), is(1));
        assertThat(real.outcomes().get(1), instanceOf(ParticipantOutcome.TimedOut.class));
    }

    @Test
    void runsTheStandInsThroughTheirContextsUnderTheSameTimeouts() {
        RecordingParticipant quick = new RecordingParticipant("quick", DRAIN, recorder)
                .withTimeout(Duration.ofSeconds(2));
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder().add(quick).build();

        ShutdownReport rehearsal = coordinator.rehearse();

        ParticipantOutcome only = rehearsal.outcomes().getFirst();
        assertThat(only, instanceOf(ParticipantOutcome.Completed.class));
        long remaining = only.figures().get("remaining-ms");
        assertThat(remaining > 0 && remaining <= 2000, is(true));
        assertThat(rehearsal.isClean(), is(true));
    }

    @Test
    void logsNothing() {
        Logger logger = Logger.getLogger("dev.graceful");
        List<LogRecord> records = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                    .add(new RecordingParticipant("pool", RELEASE, recorder))
                    .build();
            coordinator.rehearse();
            assertThat(records, is(empty()));
            coordinator.run(ShutdownReason.SIGTERM);
            assertThat(records.isEmpty(), is(false));
        } finally {
            logger.removeHandler(handler);
        }
    }
}
