package dev.graceful.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * One step of a graceful shutdown, run by the {@link dev.graceful.ShutdownCoordinator}.
 *
 * <p>Rules the coordinator guarantees, and every participant can rely on:
 * <ul>
 *     <li>Phases run strictly in the order {@link ShutdownPhase} declares them.</li>
 *     <li>Within a phase, participants run in ascending {@link #order()}; participants with equal order
 *     run concurrently, each on a platform thread of its own.</li>
 *     <li>{@link #shutdown(ShutdownContext)} is called at most once per coordinator run.</li>
 *     <li>Its budget is min({@link #timeout()} or the configured timeout, the time left before the one global
 *     deadline less the {@link #minimumBudget()}s reserved for later participants). When the budget is spent the
 *     participant's thread is interrupted, it is recorded as timed out and the sequence moves on; a participant
 *     that ignores the interrupt is abandoned, never waited for.</li>
 *     <li>A participant that throws is recorded as failed and the sequence moves on.</li>
 * </ul>
 *
 * <p>Participants are found with {@link java.util.ServiceLoader} (a {@code META-INF/services} entry and a public
 * no-argument constructor) or registered by the application. A participant must respect interruption and
 * {@link ShutdownContext#remaining()}.
 */
public interface ShutdownParticipant {

    /**
     * Returns the participant's unique kebab-case name, also its configuration key under
     * {@code shutdown.participants}. Defaults to the class's simple name in kebab case.
     *
     * @return the name, for example {@code db-pool}
     */
    default String name() {
        return kebabCase(getClass().getSimpleName());
    }

    /**
     * Returns the phase this participant runs in.
     *
     * @return the phase, {@link ShutdownPhase#RELEASE} by default
     */
    default ShutdownPhase phase() {
        return ShutdownPhase.RELEASE;
    }

    /**
     * Returns the position within the phase: lower runs first, equal runs concurrently.
     *
     * @return the order, {@code 0} by default
     */
    default int order() {
        return 0;
    }

    /**
     * Returns this participant's own default timeout; configuration may override it.
     *
     * @return the timeout, or empty for one bounded only by the global deadline
     */
    default Optional<Duration> timeout() {
        return Optional.empty();
    }

    /**
     * Returns the least time this participant needs to do its job, for example to flush a buffer. The coordinator
     * reserves it: participants that run earlier get budgets that end early enough to leave every later
     * participant its minimum, so a long drain cannot starve a flush. Startup rejects a deadline that cannot cover
     * the readiness delay plus every minimum.
     *
     * @return the minimum budget, {@link Duration#ZERO} by default
     */
    default Duration minimumBudget() {
        return Duration.ZERO;
    }

    /**
     * Does this participant's part of the shutdown. Called at most once, on a platform daemon thread named
     * {@code graceful-<name>}.
     *
     * @param context the reason, the budget and a place for progress and figures
     * @throws Exception any failure; it is recorded in the report and the shutdown goes on
     */
    void shutdown(ShutdownContext context) throws Exception;

    private static String kebabCase(String simpleName) {
        return simpleName.replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                .replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
                .toLowerCase(java.util.Locale.ROOT);
    }
}
