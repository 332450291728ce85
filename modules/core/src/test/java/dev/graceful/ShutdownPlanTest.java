package dev.graceful;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.graceful.spi.ShutdownReason;

import org.junit.jupiter.api.Test;

import static dev.graceful.spi.ShutdownPhase.DRAIN;
import static dev.graceful.spi.ShutdownPhase.READINESS;
import static dev.graceful.spi.ShutdownPhase.RELEASE;
import static dev.graceful.spi.ShutdownPhase.STOP_ACCEPTING;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

class ShutdownPlanTest {

    private final Recorder recorder = new Recorder();

    @Test
    void listsStepsInExecutionOrderWithTheirResolvedTimeouts() {
        ShutdownConfig config = ShutdownConfig.fromProperties(Map.of(
                "shutdown.deadline", "20s",
                "shutdown.participants.db-pool.timeout", "3s"));
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(config)
                .add(new RecordingParticipant("db-pool", RELEASE, 10, recorder).withTimeout(Duration.ofSeconds(30)))
                .add(new RecordingParticipant("events-flush", RELEASE, 0, recorder).withTimeout(Duration.ofSeconds(60)))
                .add(new RecordingParticipant("in-flight-requests", DRAIN, recorder))
                .add(new RecordingParticipant("listener", STOP_ACCEPTING, recorder))
                .add(new RecordingParticipant("readiness", READINESS, recorder))
                .build();

        ShutdownPlan plan = coordinator.plan();

        assertThat(plan.steps().stream().map(ShutdownPlan.Step::name).toList(),
                   contains("readiness", "listener", "in-flight-requests", "events-flush", "db-pool"));
        assertThat(plan.deadline(), is(Duration.ofSeconds(20)));
        ShutdownPlan.Step pool = plan.steps().get(4);
        assertThat(pool.timeout(), is(Optional.of(Duration.ofSeconds(3))));
        assertThat(pool.maxBudget(plan.deadline()), is(Duration.ofSeconds(3)));
        assertThat(pool.type(), is(RecordingParticipant.class.getName()));
        ShutdownPlan.Step flush = plan.steps().get(3);
        assertThat(flush.maxBudget(plan.deadline()), is(Duration.ofSeconds(20)));
        assertThat(plan.steps().get(2).timeout(), is(Optional.empty()));
        assertThat(plan.steps().get(2).maxBudget(plan.deadline()), is(Duration.ofSeconds(20)));
        assertThat(plan.disabled().isEmpty(), is(true));
    }

    @Test
    void leavesADisabledParticipantOutOfThePlanAndTheRun() {
        RecordingParticipant disabled = new RecordingParticipant("events-flush", RELEASE, recorder);
        RecordingParticipant enabled = new RecordingParticipant("db-pool", RELEASE, 1, recorder);
        ShutdownCoordinator coordinator = ShutdownCoordinator.builder()
                .config(ShutdownConfig.fromProperties(Map.of("shutdown.participants.events-flush.enabled", "false")))
                .add(disabled)
                .add(enabled)
                .build();

        ShutdownPlan plan = coordinator.plan();
        ShutdownReport report = coordinator.run(ShutdownReason.SIGTERM);

        assertThat(plan.steps().stream().map(ShutdownPlan.Step::name).toList(), contains("db-pool"));
        assertThat(plan.disabled(), contains("events-flush"));
        assertThat(disabled.calls(), is(0));
        assertThat(enabled.calls(), is(1));
        assertThat(report.outcome("events-flush").isPresent(), is(false));
        assertThat(report.outcomes().size(), is(1));
        assertThat(report.isClean(), is(true));
    }

    @Test
    void rendersThePlanAsATableAndAsJson() {
        ShutdownPlan plan = new ShutdownPlan(Duration.ofSeconds(25), List.of(
                new ShutdownPlan.Step("readiness", READINESS, 0, Optional.empty(), Duration.ZERO, "x.Readiness"),
                new ShutdownPlan.Step("db-pool", RELEASE, 10, Optional.of(Duration.ofSeconds(2)), Duration.ZERO,
                                      "x.DbPool")),
                                             List.of("events-flush"), Duration.ZERO, Optional.empty(), Duration.ZERO);

        String table = plan.toTable();
        String json = plan.toJson();

        assertThat(table, containsString("one global deadline of 25s"));
        assertThat(table, containsString("readiness"));
        assertThat(table, containsString("db-pool"));
        assertThat(table, containsString("events-flush"));
        assertThat(table, containsString("disabled in configuration"));
        assertThat(table, containsString("readiness delay 0ms + minimum budgets 0ms = 0ms <= deadline 25s"));
        assertThat(table.split("\\R").length, is(3 + 2 + 1));
        assertThat(json, not(containsString("\n")));
        assertThat(json, containsString("{\"deadlineMs\":25000,\"readinessDelayMs\":0,\"minimumBudgetsMs\":0,"
                                                + "\"gracePeriodMs\":null,\"arithmetic\":"));
        assertThat(json, containsString("\"steps\":["
                                    + "{\"name\":\"readiness\",\"phase\":\"READINESS\",\"order\":0,\"timeoutMs\":null,"
                                    + "\"minimumBudgetMs\":0,\"maxBudgetMs\":25000,\"class\":\"x.Readiness\"},"
                                    + "{\"name\":\"db-pool\",\"phase\":\"RELEASE\",\"order\":10,\"timeoutMs\":2000,"
                                    + "\"minimumBudgetMs\":0,\"maxBudgetMs\":2000,\"class\":\"x.DbPool\"}],"
                                    + "\"disabled\":[\"events-flush\"]}"));
    }
}
