package dev.graceful;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.graceful.ParticipantOutcome.Completed;
import dev.graceful.ParticipantOutcome.Failed;
import dev.graceful.ParticipantOutcome.Skipped;
import dev.graceful.ParticipantOutcome.TimedOut;
import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.READINESS;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static dev.graceful.spi.ShutdownPhase.STOP_ACCEPTING;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

class ShutdownReportTest {

    private static final Instant STARTED_AT = Instant.parse("2025-01-02T03:04:05Z");

    private static final List<ParticipantOutcome> MIXED = List.of(
            new Completed("readiness", READINESS, 0, Duration.ofMillis(5), Map.of()),
            new Failed("listener", STOP_ACCEPTING, 0, Duration.ofMillis(12), Map.of(),
                       new IllegalStateException("line one\nline \"two\"")),
            new TimedOut("in-flight-requests", DRAIN, 0, Duration.ofSeconds(2), Map.of("aborted", 3L, "completed", 40L),
                         "did not finish within its timeout of 2s", false),
            new Skipped("db-pool", RELEASE, 10, "the global deadline of 25s was spent before it started"));

    @Test
    void rendersJsonOnOneLineWithTheReasonAndEveryParticipantOutcome() {
        ShutdownReport report = new ShutdownReport(ShutdownReason.SIGTERM, STARTED_AT, Duration.ofMillis(2_050),
                                                   Duration.ofSeconds(25), false, MIXED, Map.of());

        String json = report.toJson();

        assertThat(json, not(containsString("\n")));
        assertThat(json, not(containsString("\r")));
        assertThat(json, startsWith("{"));
        assertThat(json, endsWith("}"));
        assertThat(json, containsString("\"reason\":\"SIGTERM\""));
        assertThat(json, containsString("\"startedAt\":\"2025-01-02T03:04:05Z\""));
        assertThat(json, containsString("\"elapsedMs\":2050,\"deadlineMs\":25000"));
        assertThat(json, containsString("\"forced\":false,\"clean\":false,\"participants\":["));
        assertThat("the exit code is the process owner's", json, not(containsString("exitCode")));
        assertThat(json, containsString("\"participants\":[{\"name\":\"readiness\",\"phase\":\"READINESS\","
                                                + "\"order\":0,\"outcome\":\"COMPLETED\",\"elapsedMs\":5}"));
        assertThat(json, containsString("{\"name\":\"listener\",\"phase\":\"STOP_ACCEPTING\",\"order\":0,"
                                                + "\"outcome\":\"FAILED\",\"elapsedMs\":12,\"error\":"
                                                + "\"java.lang.IllegalStateException: line one\\nline \\\"two\\\"\"}"));
        assertThat(json, containsString("\"outcome\":\"TIMED_OUT\",\"elapsedMs\":2000,"
                                                + "\"error\":\"did not finish within its timeout of 2s\","
                                                + "\"abandoned\":false,\"figures\":{\"aborted\":3,\"completed\":40}}"));
        assertThat(json, containsString("{\"name\":\"db-pool\",\"phase\":\"RELEASE\",\"order\":10,"
                                                + "\"outcome\":\"SKIPPED\",\"elapsedMs\":0,"));
    }

    @Test
    void rendersTheCallersOwnNumbersAfterClean() {
        ShutdownReport report = new ShutdownReport(ShutdownReason.SIGTERM, STARTED_AT, Duration.ofMillis(5),
                                                   Duration.ofSeconds(25), false, List.of(), Map.of());

        String json = ShutdownRendering.json(report, Map.of("exitCode", 0L));

        assertThat(json, containsString("\"clean\":true,\"exitCode\":0,\"participants\":[]"));
        assertThat(ShutdownRendering.json(report), not(containsString("exitCode")));
    }

    @Test
    void rendersATableListingEveryParticipant() {
        ShutdownReport report = new ShutdownReport(ShutdownReason.SIGINT, STARTED_AT, Duration.ofMillis(2_050),
                                                   Duration.ofSeconds(25), true, MIXED, Map.of());

        String table = report.toTable();
        String[] lines = table.split("\\R");

        assertThat(lines.length, is(2 + MIXED.size()));
        assertThat(lines[0], containsString("SIGINT"));
        assertThat(lines[0], endsWith("NOT CLEAN in 2.050s of 25s deadline, FORCED"));
        for (int i = 0; i < MIXED.size(); i++) {
            ParticipantOutcome o = MIXED.get(i);
            assertThat(lines[2 + i], containsString(o.name()));
            assertThat(lines[2 + i], containsString(o.phase().name()));
            assertThat(lines[2 + i], containsString(o.kind()));
        }
        assertThat(lines[4], containsString("aborted=3 completed=40 did not finish"));
    }

    @Test
    void rendersTheReportOfARealRunWithItsFigures() {
        Recorder recorder = new Recorder();
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .add(new RecordingParticipant("events-flush", RELEASE, recorder)
                             .doing(context -> context.record("flushed", 120)))
                .add(new RecordingParticipant("db-pool", RELEASE, 1, recorder))
                .build();

        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(report.toJson(), containsString("{\"name\":\"events-flush\",\"phase\":\"RELEASE\",\"order\":0,"
                                                           + "\"outcome\":\"COMPLETED\",\"elapsedMs\":"));
        assertThat(report.toJson(), containsString("\"figures\":{\"flushed\":120}"));
        assertThat(report.toJson(), containsString("\"clean\":true,"));
        assertThat(report.toTable(), containsString("flushed=120"));
        assertThat(report.toTable(), containsString("db-pool"));
        assertThat(report.toTable(), containsString(" clean in "));
    }

    @Test
    void isCleanOnlyWhenEveryParticipantCompletedAndTheRunWasNotForced() {
        List<ParticipantOutcome> completed = List.of(
                new Completed("readiness", READINESS, 0, Duration.ZERO, Map.of()));
        List<ParticipantOutcome> skipped = List.of(
                new Skipped("db-pool", RELEASE, 0, "forced"));

        assertThat(report(false, completed).isClean(), is(true));
        assertThat(report(false, List.of()).isClean(), is(true));
        assertThat(report(true, completed).isClean(), is(false));
        assertThat(report(false, skipped).isClean(), is(false));
        assertThat(report(false, MIXED).isClean(), is(false));
    }

    @Test
    void findsAnOutcomeByParticipantName() {
        ShutdownReport report = report(false, MIXED);

        assertThat(report.outcome("listener").orElseThrow().kind(), is("FAILED"));
        assertThat(report.outcome("nobody").isPresent(), is(false));
    }

    private static ShutdownReport report(boolean forced, List<ParticipantOutcome> outcomes) {
        return new ShutdownReport(ShutdownReason.REQUESTED, STARTED_AT, Duration.ofSeconds(1), Duration.ofSeconds(25),
                                  forced, outcomes, Map.of());
    }
}
