package dev.graceful;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.spi.ShutdownPhase;

/**
 * What became of one participant in a shutdown run: it completed, failed, timed out or was skipped.
 */
public sealed interface ParticipantOutcome {

    /**
     * Returns the participant's name.
     *
     * @return the name
     */
    String name();

    /**
     * Returns the phase the participant belongs to.
     *
     * @return the phase
     */
    ShutdownPhase phase();

    /**
     * Returns the participant's order within its phase.
     *
     * @return the order
     */
    int order();

    /**
     * Returns how long the participant ran; zero when it never started.
     *
     * @return the time from its start to its end, or to the moment it was given up on
     */
    Duration elapsed();

    /**
     * Returns the figures the participant recorded with {@link dev.graceful.spi.ShutdownContext#record}.
     *
     * @return the figures, sorted by key
     */
    Map<String, Long> figures();

    /**
     * Returns the outcome's name as the report writes it: {@code COMPLETED}, {@code FAILED}, {@code TIMED_OUT}
     * or {@code SKIPPED}.
     *
     * @return the outcome's name
     */
    String kind();

    /**
     * Returns what went wrong, for a participant that did not complete.
     *
     * @return the error or the reason it was skipped; empty for a completed participant
     */
    Optional<String> error();

    /**
     * The participant returned normally within its budget.
     *
     * @param name    the name
     * @param phase   the phase
     * @param order   the order
     * @param elapsed how long it ran
     * @param figures its figures
     */
    record Completed(String name, ShutdownPhase phase, int order, Duration elapsed, Map<String, Long> figures)
            implements ParticipantOutcome {
        // validates and copies the values
        public Completed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(phase, "phase");
            figures = Map.copyOf(figures);
        }

        @Override
        public String kind() {
            return "COMPLETED";
        }

        @Override
        public Optional<String> error() {
            return Optional.empty();
        }
    }

    /**
     * The participant threw.
     *
     * @param name    the name
     * @param phase   the phase
     * @param order   the order
     * @param elapsed how long it ran
     * @param figures its figures
     * @param cause   what it threw
     */
    record Failed(String name, ShutdownPhase phase, int order, Duration elapsed, Map<String, Long> figures,
                  Throwable cause) implements ParticipantOutcome {
        // validates and copies the values
        public Failed {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(cause, "cause");
            figures = Map.copyOf(figures);
        }

        @Override
        public String kind() {
            return "FAILED";
        }

        @Override
        public Optional<String> error() {
            return Optional.of(cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
    }

    /**
     * The participant did not finish within its budget, or the run was forced while it ran. Its thread was
     * interrupted; if it ignored the interrupt it was abandoned.
     *
     * @param name    the name
     * @param phase   the phase
     * @param order   the order
     * @param elapsed how long it ran before it was given up on
     * @param figures   its figures, including any it recorded while returning from the interrupt
     * @param why       what ended its budget, naming the budget
     * @param abandoned {@code true} if it ignored the interrupt and was left running
     */
    record TimedOut(String name, ShutdownPhase phase, int order, Duration elapsed, Map<String, Long> figures,
                    String why, boolean abandoned) implements ParticipantOutcome {
        // validates and copies the values
        public TimedOut {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(why, "why");
            figures = Map.copyOf(figures);
        }

        @Override
        public String kind() {
            return "TIMED_OUT";
        }

        @Override
        public Optional<String> error() {
            return Optional.of(why);
        }
    }

    /**
     * The participant never started: the deadline was spent, or the run was forced, before its turn.
     *
     * @param name  the name
     * @param phase the phase
     * @param order the order
     * @param why   why it was skipped
     */
    record Skipped(String name, ShutdownPhase phase, int order, String why) implements ParticipantOutcome {
        // validates the values
        public Skipped {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(why, "why");
        }

        @Override
        public Duration elapsed() {
            return Duration.ZERO;
        }

        @Override
        public Map<String, Long> figures() {
            return Map.of();
        }

        @Override
        public String kind() {
            return "SKIPPED";
        }

        @Override
        public Optional<String> error() {
            return Optional.of(why);
        }
    }
}
