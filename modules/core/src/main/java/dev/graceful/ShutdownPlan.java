package dev.graceful;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import dev.graceful.spi.ShutdownPhase;

/**
 * The resolved shutdown sequence: which participants run, in which phase and order, and with what budget.
 * Printable as a table ({@link #toTable()}) and as JSON ({@link #toJson()}).
 *
 * @param deadline the global deadline
 * @param steps    the enabled participants in execution order
 * @param disabled names of participants turned off in configuration
 */
public record ShutdownPlan(Duration deadline, List<Step> steps, List<String> disabled) {

    /**
     * Validates and copies the values.
     */
    public ShutdownPlan {
        Objects.requireNonNull(deadline, "deadline");
        steps = List.copyOf(steps);
        disabled = List.copyOf(disabled);
    }

    /**
     * Renders the plan as a table for people.
     *
     * @return several lines, ending with a line break
     */
    public String toTable() {
        StringBuilder b = new StringBuilder();
        b.append("shutdown plan: one global deadline of ").append(Durations.format(deadline))
                .append(", counted from the trigger").append(System.lineSeparator());
        b.append(String.format(Locale.ROOT, "  %-15s %5s  %-24s %-9s %-10s %s%n",
                               "phase", "order", "participant", "timeout", "max budget", "class"));
        for (Step s : steps) {
            b.append(String.format(Locale.ROOT, "  %-15s %5d  %-24s %-9s %-10s %s%n",
                                   s.phase(), s.order(), s.name(),
                                   s.timeout().map(Durations::format).orElse("-"),
                                   Durations.format(s.maxBudget(deadline)), s.type()));
        }
        for (String name : disabled) {
            b.append(String.format(Locale.ROOT, "  %-15s %5s  %-24s disabled in configuration%n", "-", "-", name));
        }
        return b.toString();
    }

    /**
     * Renders the plan as one line of JSON.
     *
     * @return the JSON object
     */
    public String toJson() {
        StringBuilder b = new StringBuilder("{\"deadlineMs\":").append(deadline.toMillis()).append(",\"steps\":[");
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"name\":").append(Json.quote(s.name()))
                    .append(",\"phase\":").append(Json.quote(s.phase().name()))
                    .append(",\"order\":").append(s.order())
                    .append(",\"timeoutMs\":").append(s.timeout().map(t -> String.valueOf(t.toMillis())).orElse("null"))
                    .append(",\"maxBudgetMs\":").append(s.maxBudget(deadline).toMillis())
                    .append(",\"class\":").append(Json.quote(s.type()))
                    .append('}');
        }
        b.append("],\"disabled\":[");
        for (int i = 0; i < disabled.size(); i++) {
            b.append(i > 0 ? "," : "").append(Json.quote(disabled.get(i)));
        }
        return b.append("]}").toString();
    }

    /**
     * One participant in the plan.
     *
     * @param name    its name
     * @param phase   its phase
     * @param order   its order within the phase
     * @param timeout its resolved timeout (configuration, else its own default), or empty when only the deadline
     *                bounds it
     * @param type    its class name
     */
    public record Step(String name, ShutdownPhase phase, int order, Optional<Duration> timeout, String type) {
        /** Validates the values. */
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(timeout, "timeout");
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
