package dev.graceful.testing;

import java.time.Duration;
import java.util.Map;

import dev.graceful.ParticipantOutcome;
import dev.graceful.ShutdownConfigException;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.READINESS;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParticipantProbeTest {

    private final StringBuffer recorder = new StringBuffer();

    @Test
    void runsAParticipantThroughACoordinatorAndReturnsTheReport() {
        ContextRecordingParticipant participant = new ContextRecordingParticipant("pool", RELEASE, recorder);

        ShutdownReport report = ParticipantProbe.of(participant).run();

        assertThat(report.isClean(), is(true));
        assertThat(report.reason(), is(ShutdownReason.SIGTERM));
        assertThat(report.deadline(), is(Duration.ofSeconds(25)));
        assertThat(report.outcome("pool").orElseThrow(), instanceOf(ParticipantOutcome.Completed.class));
    }

    @Test
    void givesTheParticipantTheReasonDeadlineTimeoutAndSettings() {
        ContextRecordingParticipant participant = new ContextRecordingParticipant("pool", RELEASE, recorder)
                .withTimeout(Duration.ofSeconds(10));

        ShutdownReport report = ParticipantProbe.of(participant)
                .reason(ShutdownReason.RESTART)
                .deadline(Duration.ofSeconds(5))
                .timeout(Duration.ofSeconds(2))
                .setting("url", "jdbc:test")
                .setting("size", "4")
                .run();

        assertThat(report.reason(), is(ShutdownReason.RESTART));
        assertThat(report.deadline(), is(Duration.ofSeconds(5)));
        assertThat(participant.context().reason(), is(ShutdownReason.RESTART));
        assertThat(participant.context().settings(), is(Map.of("url", "jdbc:test", "size", "4")));
        // The configured 2 s replaced the participant's own 10 s.
        assertThat(participant.remainingAtStart(), lessThanOrEqualTo(Duration.ofSeconds(2)));
        assertThat(participant.remainingAtStart(), greaterThan(Duration.ofSeconds(1)));
    }

    @Test
    void appliesConfigurationKeysAsTheServiceDoes() {
        ContextRecordingParticipant pool = new ContextRecordingParticipant("pool", RELEASE, recorder);
        ContextRecordingParticipant cache = new ContextRecordingParticipant("cache", RELEASE, recorder);

        ShutdownReport report = ParticipantProbe.of(pool, cache)
                .property("shutdown.participants.cache.enabled", "false")
                .property("shutdown.participants.pool.settings.file", "pool.log")
                .run();

        assertThat(report.outcomes().stream().map(ParticipantOutcome::name).toList(), contains("pool"));
        assertThat(pool.context().settings(), is(Map.of("file", "pool.log")));
        assertThat(cache.context() == null, is(true));
    }

    @Test
    void runsASetOfParticipantsInPhaseOrder() {
        ContextRecordingParticipant release = new ContextRecordingParticipant("release", RELEASE, recorder);
        ContextRecordingParticipant drain = new ContextRecordingParticipant("drain", DRAIN, recorder);
        ContextRecordingParticipant readiness = new ContextRecordingParticipant("readiness", READINESS, recorder);

        ShutdownReport report = ParticipantProbe.of(release, drain, readiness).run();

        assertThat(recorder.toString(), is("readiness drain release "));
        assertThat(report.outcomes().stream().map(ParticipantOutcome::name).toList(),
                   contains("readiness", "drain", "release"));
    }

    @Test
    void runsTheSameInstanceThroughANewCoordinatorOnEachRun() {
        QuickParticipant participant = new QuickParticipant();
        ParticipantProbe probe = ParticipantProbe.of(participant);

        probe.run();
        ShutdownReport second = probe.run();

        assertThat(second.outcome("quick-participant").orElseThrow().figures().get("runs"), is(2L));
    }

    @Test
    void leavesTheProbeItWasDerivedFromUnchanged() {
        ContextRecordingParticipant participant = new ContextRecordingParticipant("pool", RELEASE, recorder);
        ParticipantProbe base = ParticipantProbe.of(participant);

        base.setting("file", "a.log").deadline(Duration.ofSeconds(3)).run();
        ShutdownReport report = base.run();

        assertThat(report.deadline(), is(Duration.ofSeconds(25)));
        assertThat(participant.context().settings(), is(Map.of()));
    }

    @Test
    void refusesSettingsMeantForOneParticipantOnASet() {
        ParticipantProbe probe = ParticipantProbe.of(new ContextRecordingParticipant("a", RELEASE, recorder),
                                                     new ContextRecordingParticipant("b", RELEASE, recorder));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> probe.setting("file", "x"));

        assertThat(e.getMessage(), containsString("[a, b]"));
        assertThat(e.getMessage(), containsString("property(\"shutdown.participants.<name>"));
    }

    @Test
    void rejectsConfigurationTheServiceWouldReject() {
        ParticipantProbe probe = ParticipantProbe.of(new ContextRecordingParticipant("pool", RELEASE, recorder))
                .property("shutdown.participants.pool.timout", "2s");

        ShutdownConfigException e = assertThrows(ShutdownConfigException.class, probe::run);

        assertThat(e.getMessage(), containsString("shutdown.participants.pool.timout"));
    }

    @Test
    void rejectsANonPositiveDeadline() {
        ParticipantProbe probe = ParticipantProbe.of(new QuickParticipant());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> probe.deadline(Duration.ZERO));

        assertThat(e.getMessage(), containsString("deadline must be > 0"));
    }
}
