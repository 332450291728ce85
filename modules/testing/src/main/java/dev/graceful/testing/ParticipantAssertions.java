package dev.graceful.testing;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import dev.graceful.Durations;
import dev.graceful.ParticipantOutcome;
import dev.graceful.ParticipantOutcome.Completed;
import dev.graceful.ParticipantOutcome.Failed;
import dev.graceful.ParticipantOutcome.Skipped;
import dev.graceful.ParticipantOutcome.TimedOut;
import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

/**
 * Assertions that check a participant against the contract of {@link ShutdownParticipant}, each by running it
 * through a real {@link dev.graceful.ShutdownCoordinator} with a {@link ParticipantProbe}.
 *
 * <p>Every assertion throws an {@link AssertionError} whose message names the participant, says what was expected
 * and what happened, and what to fix; the participant's own exception, if any, is its cause. JUnit 5 and other
 * test frameworks report it as a test failure. An assertion that runs the participant takes a probe, so that the
 * participant gets the settings it needs, or the participant alone, which runs with no settings; a probe given to
 * an assertion must run exactly one participant.
 *
 * <p>Timing: budgets are enforced by the coordinator, which interrupts a participant at the end of its budget and
 * gives it 100 ms to return before it abandons it. Keep the budgets given here long enough for the participant's
 * thread to be scheduled on a busy build machine, tens of milliseconds at least. A participant that ignores the
 * interrupt is left running, as the service would leave it; a test should release whatever it blocks on
 * afterwards.
 *
 * <p>This class is thread-safe and holds no state.
 */
public final class ParticipantAssertions {

    /**
     * How much more time than its real budget a participant is told it has in
     * {@link #assertRespondsToInterruption(ParticipantProbe, Duration)}.
     */
    static final Duration STRETCH = Duration.ofMinutes(1);
    /** How long an abandoned participant is watched after its budget, to say whether it returns late or never. */
    static final Duration LATE_RETURN_WATCH = Duration.ofSeconds(1);

    private static final String INTERRUPTION_ADVICE = "check Thread.interrupted()/InterruptedException in loops and"
            + " use interruptible waits (Thread.sleep, BlockingQueue, Future.get, Lock.lockInterruptibly, an"
            + " InterruptibleChannel), never a catch that swallows InterruptedException and carries on; let it"
            + " propagate, or restore the interrupt flag and return";
    private static final String REMAINING_ADVICE = "check context.remaining() before each step and skip what cannot"
            + " finish in it, bound every wait by it (leaving a reserve for clean-up, for example"
            + " awaitTermination(context.remaining().minus(reserve))), record what was left undone with"
            + " context.record(...) and return normally";

    private ParticipantAssertions() {
    }

    /**
     * Asserts that the participant, run alone with no settings, completes within its declared timeout.
     *
     * @param participant the participant
     * @return its outcome, for further checks of its figures
     * @throws AssertionError when it declares no timeout, or fails, times out or is skipped
     * @see #assertCompletesWithinTimeout(ParticipantProbe)
     */
    public static Completed assertCompletesWithinTimeout(ShutdownParticipant participant) {
        return assertCompletesWithinTimeout(ParticipantProbe.of(participant));
    }

    /**
     * Asserts that the probe's participant, under normal conditions, completes within its timeout: the probe's
     * {@link ParticipantProbe#timeout(Duration)} if it has one, else the participant's own
     * {@link ShutdownParticipant#timeout()}. The coordinator interrupts it when the timeout ends, so an overrun
     * shows as {@link TimedOut}.
     *
     * @param probe a probe of one participant, with the settings and reason of normal conditions
     * @return its outcome, for further checks of its figures
     * @throws AssertionError when it has no timeout, or fails, times out or is skipped
     */
    public static Completed assertCompletesWithinTimeout(ParticipantProbe probe) {
        ShutdownParticipant participant = probe.participant();
        String who = who(participant);
        ShutdownConfig config = configOf(probe, participant);
        Optional<Duration> timeout = config.participant(participant.name()).timeout()
                .or(() -> Objects.requireNonNullElse(participant.timeout(), Optional.empty()));
        if (timeout.isEmpty()) {
            throw new AssertionError(who + " declares no timeout, so only the global deadline bounds it: return"
                    + " Optional.of(...) from timeout(), so that a slow run is caught here and --print-plan shows"
                    + " its budget (or give the probe one with timeout(...))");
        }
        Duration budget = min(timeout.get(), config.deadline());
        ParticipantOutcome outcome = runAlone(probe, participant);
        return switch (outcome) {
            case Completed c when c.elapsed().compareTo(budget) < 0 -> c;
            case Completed c -> throw new AssertionError(who + " completed in " + Durations.format(c.elapsed())
                    + ", not within its timeout of " + Durations.format(budget)
                    + ": make its work faster or declare a longer timeout()");
            case TimedOut t -> throw new AssertionError(who + " did not finish within its timeout of "
                    + Durations.format(budget) + ": it was interrupted after " + Durations.format(t.elapsed())
                    + (t.abandoned() ? ", ignored the interrupt and was abandoned" : " and returned")
                    + "; under normal conditions it must finish well within its timeout: make its work faster or"
                    + " declare a longer timeout()"
                    + (t.abandoned() ? "; and to be stopped when it overruns, " + INTERRUPTION_ADVICE : ""));
            case Failed f -> throw new AssertionError(who + " failed after " + Durations.format(f.elapsed())
                    + " instead of completing: " + f.error().orElseThrow() + "; under normal conditions it must"
                    + " complete: fix the failure, or give the probe the settings it needs with setting(...)",
                    f.cause());
            case Skipped s -> throw skipped(who, s);
        };
    }

    /**
     * Asserts that the participant, run alone with no settings, returns promptly when interrupted at the end of
     * its budget.
     *
     * @param participant the participant
     * @param budget      a budget shorter than its work needs
     * @return its outcome: timed out, and not abandoned
     * @throws AssertionError when it is abandoned, or completes or fails before its budget ends
     * @see #assertRespondsToInterruption(ParticipantProbe, Duration)
     */
    public static TimedOut assertRespondsToInterruption(ShutdownParticipant participant, Duration budget) {
        return assertRespondsToInterruption(ParticipantProbe.of(participant), budget);
    }

    /**
     * Asserts that the probe's participant, still busy when its budget ends, returns promptly once the coordinator
     * interrupts it, instead of being abandoned: its outcome is {@link TimedOut} with
     * {@link TimedOut#abandoned()} {@code false}, the verdict the service would report.
     *
     * <p>The probe must keep the participant busy past {@code budget}: a scenario in which its work blocks, for
     * example on a dependency that never answers. So that a participant which bounds its waits by
     * {@link dev.graceful.spi.ShutdownContext#remaining()} is still busy too, it is told it has a minute more than
     * {@code budget}; once the real budget is spent, {@code remaining()} says zero, as it does in the service. This
     * stands for the cases in which the interrupt comes before the participant expects it: its own bound is too
     * long, or a second signal forces the stop.
     *
     * @param probe  a probe of one participant, in a scenario that keeps it busy past {@code budget}
     * @param budget the participant's budget; positive
     * @return its outcome: timed out, and not abandoned
     * @throws AssertionError when it ignores the interrupt and is abandoned, or completes or fails before its
     *                        budget ends (the scenario did not keep it busy, so nothing was tested)
     */
    public static TimedOut assertRespondsToInterruption(ParticipantProbe probe, Duration budget) {
        requirePositive(budget);
        ShutdownParticipant participant = probe.participant();
        String who = who(participant);
        StretchedParticipant stretched = new StretchedParticipant(participant, STRETCH);
        ParticipantProbe run = probe.replacing(stretched).timeout(budget);
        Duration effective = min(budget, configOf(run, participant).deadline());
        ParticipantOutcome outcome = runAlone(run, participant);
        return switch (outcome) {
            case TimedOut t when !t.abandoned() -> t;
            case TimedOut t -> throw new AssertionError(who + " ignored the interrupt at its "
                    + Durations.format(effective) + " budget and was abandoned" + lateReturn(stretched) + "; "
                    + INTERRUPTION_ADVICE);
            case Completed c -> throw new AssertionError(who + " completed in " + Durations.format(c.elapsed())
                    + ", before its " + Durations.format(effective) + " budget ended, so it was never interrupted"
                    + " and its response to an interrupt was not tested: run it in a scenario that keeps it busy"
                    + " past its budget, for example a dependency that never answers");
            case Failed f -> throw new AssertionError(who + " failed after " + Durations.format(f.elapsed())
                    + ", before its " + Durations.format(effective) + " budget ended, so its response to an"
                    + " interrupt was not tested: " + f.error().orElseThrow(), f.cause());
            case Skipped s -> throw skipped(who, s);
        };
    }

    /**
     * Asserts that the participant, run alone with no settings and a budget shorter than its work needs, does not
     * start work it cannot finish.
     *
     * @param participant the participant
     * @param budget      a budget shorter than its full work needs
     * @return its outcome: completed within the budget
     * @throws AssertionError when it has to be interrupted, or fails, instead
     * @see #assertHonoursRemaining(ParticipantProbe, Duration)
     */
    public static Completed assertHonoursRemaining(ShutdownParticipant participant, Duration budget) {
        return assertHonoursRemaining(ParticipantProbe.of(participant), budget);
    }

    /**
     * Asserts that the probe's participant, given less time than its work needs, honours
     * {@link dev.graceful.spi.ShutdownContext#remaining()}: it skips or cuts short what it cannot finish and
     * completes before its budget ends, so the coordinator never has to interrupt it.
     *
     * <p>Choose {@code budget} and the scenario so that its full work would take longer than {@code budget}, for
     * example a dependency that answers slowly or never; a budget below the participant's own estimate of its work
     * checks that it does not start at all. A participant that returns normally is expected: one that throws
     * because time is short is reported {@code FAILED} and makes the stop unclean, so this assertion fails.
     *
     * @param probe  a probe of one participant, in a scenario where its work takes longer than {@code budget}
     * @param budget the participant's budget; positive; leave the participant's thread time to be scheduled,
     *               tens of milliseconds at least
     * @return its outcome: completed within the budget
     * @throws AssertionError when it is still working when the budget ends, or fails, or is skipped
     */
    public static Completed assertHonoursRemaining(ParticipantProbe probe, Duration budget) {
        requirePositive(budget);
        ShutdownParticipant participant = probe.participant();
        String who = who(participant);
        ParticipantProbe run = probe.timeout(budget);
        Duration effective = min(budget, configOf(run, participant).deadline());
        ParticipantOutcome outcome = runAlone(run, participant);
        return switch (outcome) {
            case Completed c -> c;
            case TimedOut t -> throw new AssertionError(who + " was still working when its "
                    + Durations.format(effective) + " budget ended and had to be interrupted"
                    + (t.abandoned() ? ", and then ignored the interrupt and was abandoned" : "")
                    + ": it does not honour context.remaining(); with less time than its work needs it must not"
                    + " start work it cannot finish: " + REMAINING_ADVICE);
            case Failed f -> throw new AssertionError(who + " failed after " + Durations.format(f.elapsed())
                    + " with a budget of " + Durations.format(effective) + ": " + f.error().orElseThrow()
                    + "; when time is short it should not throw, which makes the stop unclean, but skip or cut"
                    + " short its work: " + REMAINING_ADVICE, f.cause());
            case Skipped s -> throw skipped(who, s);
        };
    }

    /**
     * Asserts that the class is a participant the service can discover, through its own class loader.
     *
     * @param type the participant class
     * @param <T>  its type
     * @return the instance that {@link java.util.ServiceLoader} created
     * @throws AssertionError naming what is missing
     * @see #assertDiscoverable(Class, ClassLoader)
     */
    public static <T extends ShutdownParticipant> T assertDiscoverable(Class<T> type) {
        return assertDiscoverable(type, type.getClassLoader());
    }

    /**
     * Asserts that the class is a participant that the service can discover in a plugin jar, through the given
     * class loader, and that it then accepts. Checks, in order:
     * <ol>
     *     <li>the class is public, concrete, top-level or static, and has a public no-argument constructor (a
     *     {@code public static provider()} method counts only for a class in a named module);</li>
     *     <li>a {@code META-INF/services/dev.graceful.spi.ShutdownParticipant} file visible through the loader
     *     lists it: the service loads the jars in its plugins directory on the class path;</li>
     *     <li>if the class is in a named module, or its directory or jar has a {@code module-info.class}, the
     *     module {@code provides} the service with it;</li>
     *     <li>{@link java.util.ServiceLoader} lists and instantiates every provider visible through the loader, as
     *     the service does at startup, and so this one;</li>
     *     <li>its name is kebab-case and unique among those providers, and the coordinator accepts it.</li>
     * </ol>
     *
     * @param type   the participant class
     * @param loader the class loader to discover through, for example the test's own
     * @param <T>    its type
     * @return the instance that {@link java.util.ServiceLoader} created
     * @throws AssertionError naming what is missing and how to add it
     */
    public static <T extends ShutdownParticipant> T assertDiscoverable(Class<T> type, ClassLoader loader) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(loader, "loader");
        return DiscoveryCheck.check(type, loader);
    }

    /**
     * Asserts that the participant, run alone with no settings, completes a second run.
     *
     * @param participant the participant
     * @return the outcome of its second run
     * @throws AssertionError when either run does not complete
     * @see #assertRerunnable(ParticipantProbe)
     */
    public static Completed assertRerunnable(ShutdownParticipant participant) {
        return assertRerunnable(ParticipantProbe.of(participant));
    }

    /**
     * Asserts that the same participant instance completes two runs, each through a new coordinator. A coordinator
     * calls a participant at most once, but the same instance can be run again, for example by an application that
     * builds a coordinator per attempt; assert this where the participant's author claims it is idempotent.
     *
     * @param probe a probe of one participant
     * @return the outcome of its second run
     * @throws AssertionError when the first run does not complete, or the second does not
     */
    public static Completed assertRerunnable(ParticipantProbe probe) {
        ShutdownParticipant participant = probe.participant();
        String who = who(participant);
        ParticipantOutcome first = runAlone(probe, participant);
        if (!(first instanceof Completed)) {
            throw new AssertionError(who + " did not complete its first run (" + describe(first) + "), so"
                    + " whether it runs again cannot be told; see assertCompletesWithinTimeout", cause(first));
        }
        ParticipantOutcome second = runAlone(probe, participant);
        if (second instanceof Completed c) {
            return c;
        }
        throw new AssertionError(who + " completed its first run but not a second one through a new coordinator ("
                + describe(second) + "): make shutdown() idempotent, re-creating what it closes or treating what"
                + " is already closed as done, or do not claim that it can run again", cause(second));
    }

    /**
     * Asserts that a wrapper, a participant that runs another one (to time it, log it, or watch it), forwards every
     * method of the SPI to the participant it wraps. A wrapper that forgets one silently replaces the wrapped
     * participant's answer with the default, for example its {@link ShutdownParticipant#minimumBudget()}. The
     * wrapper is given a participant whose every method answers something other than the default, and must override
     * each method (itself or in a class it extends) and answer the same; its {@code shutdown} must run the wrapped
     * participant's, called once here outside any coordinator with a second's budget.
     *
     * @param wrap makes the wrapper around the participant it is given
     * @throws AssertionError naming the first method the wrapper does not override or does not forward
     */
    public static void assertForwardsEverySpiMethod(Function<ShutdownParticipant, ? extends ShutdownParticipant> wrap) {
        UnusualParticipant real = new UnusualParticipant();
        ShutdownParticipant wrapper = Objects.requireNonNull(wrap.apply(real), "the wrapper");
        String type = wrapper.getClass().getName();
        for (Method m : ShutdownParticipant.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0) {
                continue;
            }
            Object wrapped;
            Object forwarded;
            try {
                if (wrapper.getClass().getMethod(m.getName()).getDeclaringClass() == ShutdownParticipant.class) {
                    throw new AssertionError(type + " does not override " + m.getName() + "(), so it answers the"
                            + " SPI's default instead of the wrapped participant's: forward it");
                }
                wrapped = m.invoke(real);
                forwarded = m.invoke(wrapper);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("cannot call " + m.getName() + "() on " + type, e);
            }
            if (!Objects.equals(wrapped, forwarded)) {
                throw new AssertionError(type + "." + m.getName() + "() answered " + forwarded
                        + " where the wrapped participant answers " + wrapped + ": forward it");
            }
        }
        try {
            wrapper.shutdown(new QuietContext(Instant.now().plusSeconds(1)));
        } catch (Exception e) {
            throw new AssertionError(type + ".shutdown(context) threw where the wrapped participant returns", e);
        }
        if (!real.ran) {
            throw new AssertionError(type + ".shutdown(context) did not run the wrapped participant: forward it");
        }
    }

    /** A context for one call outside a coordinator: a second's budget, no settings; logs and figures dropped. */
    private record QuietContext(Instant budgetEnd) implements ShutdownContext {
        @Override
        public ShutdownReason reason() {
            return ShutdownReason.SIGTERM;
        }

        @Override
        public Duration remaining() {
            Duration left = Duration.between(Instant.now(), budgetEnd);
            return left.isNegative() ? Duration.ZERO : left;
        }

        @Override
        public void log(String message) {
            // dropped
        }

        @Override
        public void record(String key, long value) {
            // dropped
        }

        @Override
        public Map<String, String> settings() {
            return Map.of();
        }
    }

    /** A participant whose every method of the SPI answers something other than the default. */
    private static final class UnusualParticipant implements ShutdownParticipant {
        private volatile boolean ran;

        @Override
        public String name() {
            return "unusual-participant-name";
        }

        @Override
        public ShutdownPhase phase() {
            return ShutdownPhase.DRAIN;
        }

        @Override
        public int order() {
            return 7;
        }

        @Override
        public Optional<Duration> timeout() {
            return Optional.of(Duration.ofMillis(3210));
        }

        @Override
        public Duration minimumBudget() {
            return Duration.ofMillis(1230);
        }

        @Override
        public void shutdown(ShutdownContext context) {
            ran = true;
        }
    }

    private static ParticipantOutcome runAlone(ParticipantProbe probe, ShutdownParticipant participant) {
        ShutdownReport report;
        try {
            report = probe.run();
        } catch (IllegalArgumentException e) {
            throw new AssertionError(who(participant) + " cannot be run: " + e.getMessage(), e);
        }
        return report.outcome(participant.name()).orElseThrow(
                () -> new AssertionError(who(participant) + " did not run: the probe's configuration disables it"));
    }

    private static ShutdownConfig configOf(ParticipantProbe probe, ShutdownParticipant participant) {
        try {
            return probe.config();
        } catch (IllegalArgumentException e) {
            throw new AssertionError(who(participant) + " cannot be run: " + e.getMessage(), e);
        }
    }

    private static String lateReturn(StretchedParticipant stretched) {
        try {
            return stretched.awaitReturn(LATE_RETURN_WATCH)
                    .map(late -> " (it returned only " + Durations.format(late) + " after its budget ended; the"
                            + " coordinator waits 100ms for an interrupted participant)")
                    .orElse(" (it had not returned " + Durations.format(LATE_RETURN_WATCH) + " after its budget"
                                    + " ended)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static AssertionError skipped(String who, Skipped s) {
        return new AssertionError(who + " was skipped: " + s.why() + "; give the probe a longer deadline");
    }

    private static String describe(ParticipantOutcome outcome) {
        return outcome.kind() + " after " + Durations.format(outcome.elapsed())
                + outcome.error().map(e -> ": " + e).orElse("");
    }

    private static Throwable cause(ParticipantOutcome outcome) {
        return outcome instanceof Failed f ? f.cause() : null;
    }

    private static String who(ShutdownParticipant participant) {
        return "participant '" + participant.name() + "'";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void requirePositive(Duration budget) {
        Objects.requireNonNull(budget, "budget");
        if (budget.isZero() || budget.isNegative()) {
            throw new IllegalArgumentException("budget must be > 0: " + budget);
        }
    }
}
