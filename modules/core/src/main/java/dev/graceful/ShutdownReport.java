package dev.graceful;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

/**
 * The record of one shutdown run: why and when it started, how long it took against the deadline, and what became
 * of each participant, in execution order. {@link ShutdownRendering} renders it as one JSON line and as a short
 * table. What exit code it means is the process owner's policy, not the report's.
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
     * Returns the outcome of the named participant.
     *
     * @param name the participant's name
     * @return its outcome, or empty when it did not take part
     */
    public Optional<ParticipantOutcome> outcome(String name) {
        return outcomes.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    /**
     * Renders the report as one line of JSON: {@link ShutdownRendering#json(ShutdownReport)}.
     *
     * @return the JSON object, without a line break
     */
    public String toJson() {
        return ShutdownRendering.json(this);
    }

    /**
     * Renders the report as a short table for people: {@link ShutdownRendering#table(ShutdownReport)}.
     *
     * @return several lines, ending with a line break
     */
    public String toTable() {
        return ShutdownRendering.table(this);
    }
}
