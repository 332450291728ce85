package dev.graceful;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.spi.ShutdownPhase;

/**
 * The resolved shutdown sequence: which participants run, in which phase and order, and with what budget.
 * {@link ShutdownRendering} prints it as a table and as JSON.
 *
 * @param deadline       the global deadline
 * @param steps          the enabled participants in execution order
 * @param disabled       names of participants turned off in configuration
 * @param readinessDelay the readiness delay
 * @param gracePeriod    the supervisor's grace period, when configured
 * @param minimumBudgets the sum of the minimum budgets the coordinator reserves: per group of equal phase and order,
 *                       the largest minimum in it
 */
public record ShutdownPlan(Duration deadline, List<Step> steps, List<String> disabled, Duration readinessDelay,
                           Optional<Duration> gracePeriod, Duration minimumBudgets) {

    /**
     * Validates and copies the values.
     */
    public ShutdownPlan {
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(readinessDelay, "readinessDelay");
        Objects.requireNonNull(gracePeriod, "gracePeriod");
        Objects.requireNonNull(minimumBudgets, "minimumBudgets");
        steps = List.copyOf(steps);
        disabled = List.copyOf(disabled);
    }

    /**
     * Returns the deadline arithmetic in one line: what must fit inside the deadline, and the deadline inside the
     * supervisor's grace period.
     *
     * @return the arithmetic, for people
     */
    public String arithmetic() {
        Duration needed = readinessDelay.plus(minimumBudgets());
        String s = "readiness delay " + Durations.format(readinessDelay) + " + minimum budgets "
                + Durations.format(minimumBudgets()) + " = " + Durations.format(needed) + " <= deadline "
                + Durations.format(deadline);
        if (gracePeriod.isPresent()) {
            Duration margin = gracePeriod.get().minus(deadline);
            s += "; deadline " + Durations.format(deadline) + " + margin " + Durations.format(margin)
                    + " = grace period " + Durations.format(gracePeriod.get());
        } else {
            s += "; no shutdown.grace-period set: keep the supervisor's grace period above the deadline";
        }
        return s;
    }

    /**
     * Renders the plan as a table for people: {@link ShutdownRendering#table(ShutdownPlan)}.
     *
     * @return several lines, ending with a line break
     */
    public String toTable() {
        return ShutdownRendering.table(this);
    }

    /**
     * Renders the plan as one line of JSON: {@link ShutdownRendering#json(ShutdownPlan)}.
     *
     * @return the JSON object
     */
    public String toJson() {
        return ShutdownRendering.json(this);
    }

    /**
     * One participant in the plan.
     *
     * @param name    its name
     * @param phase   its phase
     * @param order   its order within the phase
     * @param timeout       its resolved timeout (configuration, else its own default), or empty when only the
     *                      deadline bounds it
     * @param minimumBudget the least time it needs, reserved from earlier participants
     * @param type          its class name
     */
    public record Step(String name, ShutdownPhase phase, int order, Optional<Duration> timeout,
                       Duration minimumBudget, String type) {
        /** Validates the values. */
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(minimumBudget, "minimumBudget");
            Objects.requireNonNull(type, "type");
        }

        /**
         * Returns the most this step can get: min(its timeout, the deadline).
         *
         * @param deadline the global deadline
         * @return the upper bound of its budget
         */
        public Duration maxBudget(Duration deadline) {
            return timeout.filter(t -> t.compareTo(deadline) < 0).orElse(deadline);
        }
    }
}
