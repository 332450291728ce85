package dev.graceful;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.graceful.spi.ShutdownPhase;

/**
 * Renders plans and reports for people (tables) and for machines (one line of JSON): the one home of their text
 * forms, so that the value records hold values only. Core has no JSON library, so the few values needed are written
 * here. Exit codes are not part of either form: they are the process owner's policy.
 */
public final class ShutdownRendering {

    private static final String STEP_ROW = "  %-15s %5s  %-24s %-9s %-9s %-10s %s%n";
    private static final String OUTCOME_ROW = "  %-15s %5s  %-24s %-10s %9s  %s%n";

    private ShutdownRendering() {
    }

    /**
     * Renders a plan as a table for people.
     *
     * @param plan the plan
     * @return several lines, ending with a line break
     */
    public static String table(ShutdownPlan plan) {
        StringBuilder b = new StringBuilder();
        b.append("shutdown plan: one global deadline of ").append(Durations.format(plan.deadline()))
                .append(", counted from the trigger").append(System.lineSeparator());
        b.append("  ").append(plan.arithmetic()).append(System.lineSeparator());
        b.append(String.format(Locale.ROOT, STEP_ROW,
                               "phase", "order", "participant", "timeout", "minimum", "max budget", "class"));
        for (ShutdownPlan.Step s : plan.steps()) {
            b.append(String.format(Locale.ROOT, STEP_ROW,
                                   s.phase(), s.order(), s.name(),
                                   s.timeout().map(Durations::format).orElse("-"),
                                   s.minimumBudget().isZero() ? "-" : Durations.format(s.minimumBudget()),
                                   Durations.format(s.maxBudget(plan.deadline())), s.type()));
        }
        for (String name : plan.disabled()) {
            b.append(String.format(Locale.ROOT, "  %-15s %5s  %-24s disabled in configuration%n", "-", "-", name));
        }
        return b.toString();
    }

    /**
     * Renders a plan as one line of JSON.
     *
     * @param plan the plan
     * @return the JSON object
     */
    public static String json(ShutdownPlan plan) {
        StringBuilder b = new StringBuilder("{\"deadlineMs\":").append(plan.deadline().toMillis())
                .append(",\"readinessDelayMs\":").append(plan.readinessDelay().toMillis())
                .append(",\"minimumBudgetsMs\":").append(plan.minimumBudgets().toMillis())
                .append(",\"gracePeriodMs\":").append(millisOrNull(plan.gracePeriod().orElse(null)))
                .append(",\"arithmetic\":").append(quote(plan.arithmetic()))
                .append(",\"steps\":[");
        for (int i = 0; i < plan.steps().size(); i++) {
            ShutdownPlan.Step s = plan.steps().get(i);
            b.append(i > 0 ? "," : "")
                    .append("{\"name\":").append(quote(s.name()))
                    .append(",\"phase\":").append(quote(s.phase().name()))
                    .append(",\"order\":").append(s.order())
                    .append(",\"timeoutMs\":").append(millisOrNull(s.timeout().orElse(null)))
                    .append(",\"minimumBudgetMs\":").append(s.minimumBudget().toMillis())
                    .append(",\"maxBudgetMs\":").append(s.maxBudget(plan.deadline()).toMillis())
                    .append(",\"class\":").append(quote(s.type()))
                    .append('}');
        }
        b.append("],\"disabled\":[");
        for (int i = 0; i < plan.disabled().size(); i++) {
            b.append(i > 0 ? "," : "").append(quote(plan.disabled().get(i)));
        }
        return b.append("]}").toString();
    }

    /**
     * Renders the first line of a report's table: the reason, clean or not, and the time against the deadline.
     *
     * @param report the report
     * @return one line, without a line break, for example {@code graceful shutdown (SIGTERM) clean in 1.210s of 25s
     *         deadline}
     */
    public static String heading(ShutdownReport report) {
        return String.format(Locale.ROOT, "graceful shutdown (%s) %s in %s of %s deadline%s",
                             report.reason(), report.isClean() ? "clean" : "NOT CLEAN",
                             Durations.format(report.elapsed()), Durations.format(report.deadline()),
                             report.forced() ? ", FORCED" : "");
    }

    /**
     * Renders a report as a short table for people: {@link #heading(ShutdownReport)}, then one row per participant.
     *
     * @param report the report
     * @return several lines, ending with a line break
     */
    public static String table(ShutdownReport report) {
        return heading(report) + System.lineSeparator() + rows(report);
    }

    /**
     * Renders a report's participants as rows under a header row, without the heading.
     *
     * @param report the report
     * @return several lines, ending with a line break
     */
    public static String rows(ShutdownReport report) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, OUTCOME_ROW, "phase", "order", "participant", "outcome", "elapsed",
                               "details"));
        for (ParticipantOutcome o : report.outcomes()) {
            StringBuilder details = new StringBuilder();
            new TreeMap<>(o.figures()).forEach((k, v) -> details.append(k).append('=').append(v).append(' '));
            o.error().ifPresent(details::append);
            b.append(String.format(Locale.ROOT, OUTCOME_ROW, o.phase(), o.order(), o.name(), o.kind(),
                                   Durations.format(o.elapsed()),
                                   details.toString().strip().replaceAll("\\s*\\R\\s*", " ")));
        }
        return b.toString();
    }

    /**
     * Renders a report as one line of JSON.
     *
     * @param report the report
     * @return the JSON object, without a line break
     */
    public static String json(ShutdownReport report) {
        return json(report, Map.of());
    }

    /**
     * Renders a report as one line of JSON, with numbers of the caller's own after {@code clean}: the process owner
     * adds the exit code it gives the report this way.
     *
     * @param report the report
     * @param extra  the caller's members, in the map's order; their names must not be the report's own
     * @return the JSON object, without a line break
     */
    public static String json(ShutdownReport report, Map<String, Long> extra) {
        StringBuilder b = new StringBuilder(256 + report.outcomes().size() * 128);
        b.append("{\"report\":\"graceful-shutdown\"")
                .append(",\"reason\":").append(quote(report.reason().name()))
                .append(",\"startedAt\":").append(quote(report.startedAt().toString()))
                .append(",\"elapsedMs\":").append(report.elapsed().toMillis())
                .append(",\"deadlineMs\":").append(report.deadline().toMillis())
                .append(",\"forced\":").append(report.forced())
                .append(",\"clean\":").append(report.isClean());
        extra.forEach((name, value) -> b.append(',').append(quote(name)).append(':').append(value));
        if (!report.phases().isEmpty()) {
            b.append(",\"phasesMs\":{");
            int n = 0;
            for (Map.Entry<ShutdownPhase, Duration> e : report.phases().entrySet()) {
                b.append(n++ > 0 ? "," : "").append(quote(e.getKey().name())).append(':')
                        .append(e.getValue().toMillis());
            }
            b.append('}');
        }
        b.append(",\"participants\":[");
        for (int i = 0; i < report.outcomes().size(); i++) {
            ParticipantOutcome o = report.outcomes().get(i);
            b.append(i > 0 ? "," : "")
                    .append("{\"name\":").append(quote(o.name()))
                    .append(",\"phase\":").append(quote(o.phase().name()))
                    .append(",\"order\":").append(o.order())
                    .append(",\"outcome\":").append(quote(o.kind()))
                    .append(",\"elapsedMs\":").append(o.elapsed().toMillis());
            o.error().ifPresent(e -> b.append(",\"error\":").append(quote(e)));
            if (o instanceof ParticipantOutcome.TimedOut t) {
                b.append(",\"abandoned\":").append(t.abandoned());
            }
            if (!o.figures().isEmpty()) {
                b.append(",\"figures\":").append(numbers(o.figures()));
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    private static String millisOrNull(Duration d) {
        return d == null ? "null" : String.valueOf(d.toMillis());
    }

    private static String numbers(Map<String, Long> figures) {
        StringBuilder b = new StringBuilder("{");
        new TreeMap<>(figures).forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(quote(k)).append(':')
                .append(v));
        return b.append('}').toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
            case '"' -> b.append("\\\"");
            case '\\' -> b.append("\\\\");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            default -> b.append(c < 0x20 ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }
}
