package dev.graceful.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;


/**
 * What a participant is told while its {@link ShutdownParticipant#shutdown(ShutdownContext)} runs.
 *
 * <p>Instances are thread-safe: a participant may hand its context to threads of its own.
 */
public interface ShutdownContext {

    /**
     * Returns why the shutdown is happening.
     *
     * @return the reason
     */
    ShutdownReason reason();

    /**
     * Returns the instant at which this participant's budget ends: the earliest of its own timeout, the global
     * deadline, and the global deadline less the time reserved for the minimum budgets of the participants after it.
     * Not the global deadline (which the report and the configuration mean by "deadline"): this participant's end.
     *
     * @return the end of this participant's budget
     */
    Instant budgetEnd();

    /**
     * Returns the time left in this participant's budget; never negative. A participant should not
     * start work that cannot finish in this time.
     *
     * @return the time left, {@link Duration#ZERO} once the budget is spent
     */
    Duration remaining();

    /**
     * Records a progress message for this participant; it goes to the {@code dev.graceful} logger
     * prefixed with the participant's name.
     *
     * @param message what happened
     */
    void log(String message);

    /**
     * Records a figure that the report shows under this participant, for example
     * {@code record("flushed", 120)}. A later value for the same key replaces the earlier one.
     *
     * @param key   a short kebab-case key
     * @param value the figure
     */
    void record(String key, long value);

    /**
     * Returns this participant's own settings from configuration: the entries under
     * {@code shutdown.participants.<name>.settings}, with keys relative to that node.
     *
     * @return the settings, empty when none are configured
     */
    Map<String, String> settings();
}
