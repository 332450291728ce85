package dev.graceful.process;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits for a condition that no event announces (a process's output, a row in a database, a connect refused), by
 * looking at it every few milliseconds within a bound: the one poll-until of the end-to-end tests.
 */
public final class Poll {

    private static final long EVERY_MILLIS = 10;

    private Poll() {
    }

    /** A condition that may throw while it is looked at. */
    @FunctionalInterface
    public interface Condition {
        /**
         * Looks at the condition once.
         *
         * @return whether it holds
         * @throws Exception if looking failed
         */
        boolean holds() throws Exception;
    }

    /**
     * Looks at the condition until it holds or the timeout has passed.
     *
     * @param timeout   the longest wait
     * @param condition the condition
     * @return whether it held in time
     * @throws Exception what the condition threw
     */
    public static boolean until(Duration timeout, Condition condition) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(EVERY_MILLIS);
        }
        return true;
    }

    /**
     * Waits as {@link #until} does, and fails if the condition did not hold in time.
     *
     * @param timeout   the longest wait
     * @param condition the condition
     * @param why       what was waited for and what was seen instead, for the failure
     * @throws Exception what the condition threw
     */
    public static void await(Duration timeout, Condition condition, Supplier<String> why) throws Exception {
        if (!until(timeout, condition)) {
            throw new AssertionError("not within " + timeout + ": " + why.get());
        }
    }
}
