package dev.graceful;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

/**
 * The record of one shutdown run: why and when it started, how long it took against the deadline, and what became
 * of each participant, in execution order. Rendered as one JSON line ({@link #toJson()}) and as a short table
 * ({@link #toTable()}).
 *
 * @param reason    why the shutdown started
 * @param startedAt when it started (the trigger)
 * @param elapsed   how long the run took
 * @param deadline  the global deadline it ran under
 * @param forced    whether waiting was cut short by {@link ShutdownCoordinator#force()}
 * @param outcomes  one outcome per enabled participant, in execution order
 * @param phases    how long each phase that ran took, in phase order
 */
public record ShutdownReport(ShutdownReason reason,
                             Instant startedAt,
                             Duration elapsed,
                             Duration deadline,
                             boolean forced,
                             List<ParticipantOutcome> outcomes,
                             Map<ShutdownPhase, Duration> phases) {

    /** Exit code of a clean stop. */
    public static final int EXIT_CLEAN = 0;
    /** Exit code of a stop that was not clean: a participant failed, timed out or was skipped, or it was forced. */
    public static final int EXIT_NOT_CLEAN = 1;

    /**
     * Validates and copies the values.
     */
    public ShutdownReport {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(deadline, "deadline");
        outcomes = List.copyOf(outcomes);
        Objects.requireNonNull(phases, "phases");
        Map<ShutdownPhase, Duration> ordered = new EnumMap<>(ShutdownPhase.class);
        ordered.putAll(phases);
        phases = Collections.unmodifiableMap(ordered);
    }

    /**
     * Returns whether every participant completed and the run was not forced.
     *
     * @return {@code true} for a clean stop
     */
    public boolean isClean() {
        return !forced && outcomes.stream().allMatch(o -> o instanceof ParticipantOutcome.Completed);
    }

    /**
     * Returns whether any participant was cut off by the global deadline.
     *
     * @return {@code true} when the deadline was reached before the run ended
     */
    public boolean hasHitDeadline() {
        return elapsed.compareTo(deadline) >= 0;
    }

    /**
     * Returns the exit code this report implies: {@link #EXIT_CLEAN} or {@link #EXIT_NOT_CLEAN}.
     *
     * @return the exit code
     */
    public int exitCode() {
        return isClean() ? EXIT_CLEAN : EXIT_NOT_CLEAN;
    }

    /**
     * Returns the outcome of the named participant.
     *
     * @param name the participant's name
     * @return its outcome, or empty when it did not take part
     */
    public Optional<ParticipantOutcome> outcome(String name) {
        return outcomes.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    /**
     * Renders the report as one line of JSON.
     *
     * @return the JSON object, without a line break
     */
    public String toJson() {
        StringBuilder b = new StringBuilder(256 + outcomes.size() * 128);
        b.append("{\"report\":\"graceful-shutdown\"")
                .append(",\"reason\":").append(Json.quote(reason.name()))
                .append(",\"startedAt\":").append(Json.quote(startedAt.toString()))
                .append(",\"elapsedMs\":").append(elapsed.toMillis())
                .append(",\"deadlineMs\":").append(deadline.toMillis())
                .append(",\"forced\":").append(forced)
                .append(",\"clean\":").append(isClean())
                .append(",\"exitCode\":").append(exitCode());
        if (!phases.isEmpty()) {
            b.append(",\"phasesMs\":{");
            int n = 0;
            for (Map.Entry<ShutdownPhase, Duration> e : phases.entrySet()) {
                b.append(n++ > 0 ? "," : "").append(Json.quote(e.getKey().name())).append(':')
                        .append(e.getValue().toMillis());
            }
            b.append('}');
        }
        b.append(",\"participants\":[");
        for (int i = 0; i < outcomes.size(); i++) {
            ParticipantOutcome o = outcomes.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"name\":").append(Json.quote(o.name()))
                    .append(",\"phase\":").append(Json.quote(o.phase().name()))
                    .append(",\"order\":").append(o.order())
                    .append(",\"outcome\":").append(Json.quote(o.kind()))
                    .append(",\"elapsedMs\":").append(o.elapsed().toMillis());
            o.error().ifPresent(e -> b.append(",\"error\":").append(Json.quote(e)));
            if (o instanceof ParticipantOutcome.TimedOut t) {
                b.append(",\"abandoned\":").append(t.abandoned());
            }
            if (!o.figures().isEmpty()) {
                b.append(",\"figures\":").append(Json.numbers(new java.util.TreeMap<>(o.figures())));
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    /**
     * Renders the report as a short table for people.
     *
     * @return several lines, ending with a line break
     */
    public String toTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "graceful shutdown (%s) %s in %s of %s deadline%s, exit code %d%n",
                               reason, isClean() ? "clean" : "NOT CLEAN", Durations.format(elapsed),
                               Durations.format(deadline), forced ? ", FORCED" : "", exitCode()));
        b.append(String.format(Locale.ROOT, "  %-15s %5s  %-24s %-10s %9s  %s%n",
                               "phase", "order", "participant", "outcome", "elapsed", "details"));
        for (ParticipantOutcome o : outcomes) {
            StringBuilder details = new StringBuilder();
            o.figures().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> details.append(e.getKey()).append('=').append(e.getValue()).append(' '));
            o.error().ifPresent(details::append);
            b.append(String.format(Locale.ROOT, "  %-15s %5d  %-24s %-10s %9s  %s%n",
                                   o.phase(), o.order(), o.name(), o.kind(), Durations.format(o.elapsed()),
                                   details.toString().strip().replaceAll("\\s*\\R\\s*", " ")));
        }
        return b.toString();
    }
}
