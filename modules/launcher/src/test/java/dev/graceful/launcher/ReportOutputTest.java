package dev.graceful.launcher;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.graceful.ParticipantOutcome;
import dev.graceful.ShutdownPlan;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/** The exit code is the launcher's policy: the report it prints and writes carries it, core's does not. */
class ReportOutputTest {

    private static final ParticipantOutcome COMPLETED = new ParticipantOutcome.Completed(
            "drain", ShutdownPhase.DRAIN, 0, Duration.ofMillis(12), Map.of("completed", 3L));
    private static final ParticipantOutcome SKIPPED = new ParticipantOutcome.Skipped(
            "db-pool", ShutdownPhase.RELEASE, 0, "forced");

    @TempDir
    Path dir;

    @Test
    void aCleanStopMeansExitCodeZeroAndAnyOtherOne() {
        assertThat(ExitCode.of(report(List.of(COMPLETED))), is(ExitCode.CLEAN));
        assertThat(ExitCode.of(report(List.of(COMPLETED, SKIPPED))), is(ExitCode.NOT_CLEAN));
        assertThat(ExitCode.CLEAN.code(), is(0));
        assertThat(ExitCode.NOT_CLEAN.code(), is(1));
    }

    @Test
    void printsAndWritesTheReportWithTheExitCodeItMeans() throws Exception {
        Path file = dir.resolve("report.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ShutdownReport report = report(List.of(COMPLETED, SKIPPED));

        new ReportOutput(Optional.of(file), new PrintStream(err, true, StandardCharsets.UTF_8), true).publish(report);

        String[] lines = err.toString(StandardCharsets.UTF_8).split("\\R");
        assertThat(lines[0], containsString("\"forced\":false,\"clean\":false,\"exitCode\":1,\"participants\":["));
        assertThat(lines[0], containsString("\"figures\":{\"completed\":3}"));
        assertThat(lines[1], is("graceful shutdown (SIGTERM) NOT CLEAN in 1.500s of 25s deadline, exit code 1"));
        assertThat(lines[2], containsString("participant"));
        assertThat(lines.length, is(5));
        assertThat(Files.readString(file).strip(), is(lines[0]));
    }

    @Test
    void saysNoExitCodeWhenTheProcessExitIsNotOurs() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        new ReportOutput(Optional.empty(), new PrintStream(err, true, StandardCharsets.UTF_8), false)
                .publish(report(List.of(COMPLETED)));

        String printed = err.toString(StandardCharsets.UTF_8);
        assertThat(printed, containsString("\"clean\":true,\"participants\":["));
        assertThat(printed, not(containsString("exit")));
    }

    @Test
    void publishesOnce() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ReportOutput output = new ReportOutput(Optional.empty(), new PrintStream(err, true, StandardCharsets.UTF_8),
                                               true);

        output.publish(report(List.of(COMPLETED)));
        int once = err.size();
        output.publish(report(List.of(COMPLETED)));

        assertThat(err.size(), is(once));
    }

    @Test
    void aRehearsalRendersThePlanAndWritesNothing() throws Exception {
        Path file = dir.resolve("report.json");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ReportOutput output = new ReportOutput(Optional.of(file), new PrintStream(err, true, StandardCharsets.UTF_8),
                                               true);
        ShutdownPlan plan = new ShutdownPlan(Duration.ofSeconds(25), List.of(
                new ShutdownPlan.Step("drain", ShutdownPhase.DRAIN, 0, Optional.empty(), Duration.ZERO, "Drain"),
                new ShutdownPlan.Step("db-pool", ShutdownPhase.RELEASE, 100, Optional.empty(), Duration.ZERO, "Pool")),
                List.of(), Duration.ZERO, Optional.empty(), Duration.ZERO);

        String rendered = output.rehearse(plan);

        // what publishing renders: the JSON line, the heading, and a row for each step and each kind of outcome
        assertThat(rendered, containsString("\"exitCode\":1"));
        assertThat(rendered, containsString("NOT CLEAN in 1.234s of 25s deadline, exit code 1"));
        for (String kind : List.of("COMPLETED", "FAILED", "TIMED_OUT", "SKIPPED", "drain", "db-pool")) {
            assertThat(rendered, containsString("  " + kind));
        }
        assertThat(err.size(), is(0));
        assertThat(Files.exists(file), is(false));
        output.publish(report(List.of(COMPLETED)));
        assertThat(err.toString(StandardCharsets.UTF_8), containsString("\"exitCode\":0"));
        assertThat(Files.exists(file), is(true));
    }

    private static ShutdownReport report(List<ParticipantOutcome> outcomes) {
        return new ShutdownReport(ShutdownReason.SIGTERM, Instant.parse("2026-01-02T03:04:05Z"),
                                  Duration.ofMillis(1500), Duration.ofSeconds(25), false, outcomes, Map.of());
    }
}
