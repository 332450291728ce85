package dev.graceful.example;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.graceful.ParticipantOutcome;
import dev.graceful.ParticipantOutcome.Completed;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;
import dev.graceful.testing.ParticipantProbe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.graceful.testing.ParticipantAssertions.assertCompletesWithinTimeout;
import static dev.graceful.testing.ParticipantAssertions.assertDiscoverable;
import static dev.graceful.testing.ParticipantAssertions.assertRerunnable;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * The template for a plugin's tests: the participant runs through a real coordinator with the
 * {@code graceful-testing} kit, and its settings point at a temporary directory.
 */
class AuditTrailParticipantTest {

    @TempDir
    Path dir;

    @Test
    void isDiscoverable() {
        AuditTrailParticipant participant = assertDiscoverable(AuditTrailParticipant.class);

        assertThat(participant.name(), is("audit-trail"));
        assertThat(participant.phase(), is(ShutdownPhase.RELEASE));
        assertThat(participant.order(), is(50));
    }

    @Test
    void completesWithinItsTimeout() {
        Completed outcome = assertCompletesWithinTimeout(probe());

        assertThat(outcome.figures().get("lines-written"), is(1L));
    }

    @Test
    void appendsALineWithTheReasonToTheConfiguredFile() throws IOException {
        Path file = dir.resolve("logs/nested/audit.log");

        ShutdownReport report = ParticipantProbe.of(new AuditTrailParticipant())
                .reason(ShutdownReason.RESTART)
                .setting("file", file.toString())
                .run();

        assertThat(report.isClean(), is(true));
        assertThat(Files.readAllLines(file), hasSize(1));
        assertThat(Files.readAllLines(file).getFirst(), startsWith("stopped reason=RESTART at="));
    }

    @Test
    void isRerunnableAndAppendsALinePerRun() throws IOException {
        assertRerunnable(probe());

        assertThat(Files.readAllLines(dir.resolve("audit.log")), hasSize(2));
    }

    @Test
    void failsNamingTheFileWhenItCannotWriteIt() {
        ShutdownReport report = ParticipantProbe.of(new AuditTrailParticipant())
                .setting("file", dir.toString())
                .run();

        ParticipantOutcome outcome = report.outcome(AuditTrailParticipant.NAME).orElseThrow();
        assertThat(outcome, instanceOf(ParticipantOutcome.Failed.class));
        assertThat(outcome.error().orElseThrow(), containsString(dir.toString()));
    }

    private ParticipantProbe probe() {
        return ParticipantProbe.of(new AuditTrailParticipant()).setting("file", dir.resolve("audit.log").toString());
    }
}
