package dev.graceful;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownReason;

/**
 * The run state of one participant in one shutdown run: its budget and what bounds it, its thread, its context and
 * figures, and the outcome it comes to. Made by {@link #start}, which starts the participant's thread at once.
 */
final class ParticipantRun {

    private static final System.Logger LOG = System.getLogger("dev.graceful");
    /** The longest span the clock counts (about 73 years); longer deadlines and timeouts are cut to it. */
    private static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private final PlannedParticipant planned;
    private final Context context;
    private final long startNanos;
    private final long endNanos;
    private final Bound bound;
    private final Duration reserve;
    private final CompletableFuture<Result> done;
    private final FutureTask<Void> task;
    /** The thread running the participant, while it runs. */
    private final AtomicReference<Thread> runner;
    /** Where the participant was when its budget ended, as a throwable's stack for the log; null if it had returned. */
    private volatile Throwable stuckAt;

    private ParticipantRun(PlannedParticipant planned, Context context, long startNanos, long endNanos, Bound bound,
                           Duration reserve, CompletableFuture<Result> done, FutureTask<Void> task,
                           AtomicReference<Thread> runner) {
        this.planned = planned;
        this.context = context;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
        this.bound = bound;
        this.reserve = reserve;
        this.done = done;
        this.task = task;
        this.runner = runner;
    }

    /**
     * Returns a duration in nanoseconds, cut to {@link #MAX_NANOS} so that adding it to {@link System#nanoTime()}
     * cannot overflow; {@link Duration#toNanos()} throws for durations beyond about 292 years.
     */
    static long nanos(Duration d) {
        return d.compareTo(Duration.ofNanos(MAX_NANOS)) >= 0 ? MAX_NANOS : d.toNanos();
    }

    /**
     * Starts a participant on a thread of the pool, or on a virtual thread when the pool cannot make one.
     *
     * @param p            the participant
     * @param clock        the run's clock
     * @param reserveNanos what the participants after it reserve from the deadline
     * @param threads      the pool participants run on
     * @return its run state
     */
    static ParticipantRun start(PlannedParticipant p, Clock clock, long reserveNanos, ParticipantThreads threads) {
        long start = System.nanoTime();
        long end = clock.deadlineNanos();
        Bound bound = Bound.DEADLINE;
        if (reserveNanos > 0) {
            end = clock.deadlineNanos() - reserveNanos;
            bound = Bound.RESERVE;
        }
        if (p.timeout().isPresent() && start + nanos(p.timeout().get()) - end < 0) {
            end = start + nanos(p.timeout().get());
            bound = Bound.TIMEOUT;
        }
        Context ctx = new Context(p.name(), clock.reason(), clock.instantOf(end), end, p.settings());
        CompletableFuture<Result> done = new CompletableFuture<>();
        AtomicReference<Thread> runner = new AtomicReference<>();
        Runnable body = () -> {
            runner.set(Thread.currentThread());
            try {
                p.participant().shutdown(ctx);
                done.complete(new Result(System.nanoTime(), null));
            } catch (Throwable t) {
                done.complete(new Result(System.nanoTime(), t));
            } finally {
                runner.set(null);
            }
        };
        FutureTask<Void> task = new FutureTask<>(body, null);
        try {
            threads.start(p.name(), task);
        } catch (RuntimeException | OutOfMemoryError noThread) {
            // No native thread to be had (a pids limit, memory): a virtual thread needs none, and the shutdown
            // must go on whatever the load.
            Thread.ofVirtual().name("graceful-" + p.name()).start(task);
        }
        LOG.log(Level.DEBUG, () -> "Participant '" + p.name() + "' (" + p.phase() + ") started with a budget of "
                + Durations.format(Duration.ofNanos(Math.max(0, ctx.endNanos - start))));
        return new ParticipantRun(p, ctx, start, end, bound, Duration.ofNanos(reserveNanos), done, task, runner);
    }

    /** When its budget ends, on the {@link System#nanoTime()} clock. */
    long endNanos() {
        return endNanos;
    }

    /** Completes when the participant has returned or thrown. */
    CompletableFuture<?> done() {
        return done;
    }

    /** Ends its budget now and interrupts it: the coordinator gives up on it. Notes where it was first. */
    void interrupt() {
        Thread thread = runner.get();
        if (thread != null) {
            String threadName = thread.getName();
            StackTraceElement[] stack = thread.getStackTrace();
            // Still this participant's: had it returned meanwhile, its thread may already run the next one.
            if (runner.get() == thread) {
                Throwable where = new Throwable("participant '" + planned.name() + "' was here, on thread '"
                                                        + threadName + "', when its budget ended");
                where.setStackTrace(stack);
                stuckAt = where;
            }
        }
        context.expire();
        task.cancel(true);
    }

    /** The outcome of a participant that returned or threw within its budget. */
    ParticipantOutcome finished() {
        Result result = done.join();
        PlannedParticipant p = planned;
        Duration elapsed = Duration.ofNanos(result.endNanos() - startNanos);
        if (result.error() == null) {
            LOG.log(Level.DEBUG, () -> "Participant '" + p.name() + "' completed in " + Durations.format(elapsed));
            return new ParticipantOutcome.Completed(p.name(), p.phase(), p.order(), elapsed, context.figures());
        }
        LOG.log(Level.WARNING, "Participant '" + p.name() + "' (" + p.phase() + ") failed after "
                + Durations.format(elapsed), result.error());
        return new ParticipantOutcome.Failed(p.name(), p.phase(), p.order(), elapsed, context.figures(),
                                             result.error());
    }

    /** The outcome of a participant given up on at {@code now}, naming what ended its budget. */
    ParticipantOutcome gaveUp(boolean forced, long now, Duration deadline, Clock clock) {
        PlannedParticipant p = planned;
        Duration elapsed = Duration.ofNanos(now - startNanos);
        String why;
        if (forced) {
            why = "the shutdown was forced after it had run " + Durations.format(elapsed);
        } else if (bound == Bound.DEADLINE) {
            why = "did not finish before the global deadline of " + Durations.format(deadline);
        } else if (bound == Bound.RESERVE) {
            why = "did not finish before the " + Durations.format(reserve) + " reserved for the minimum "
                    + "budgets of later participants";
        } else {
            why = "did not finish within its timeout of " + Durations.format(p.timeout().orElseThrow()) + "; "
                    + Durations.format(clock.remaining()) + " of the deadline remained";
        }
        boolean abandoned = !done.isDone();
        if (forced) {
            why += "; interrupted" + (abandoned ? ", not waited for" : ", it returned");
        } else {
            why += abandoned ? "; interrupted, it did not return and was abandoned" : "; interrupted, it returned";
        }
        LOG.log(Level.WARNING, "Participant '" + p.name() + "' (" + p.phase() + ") " + why, stuckAt);
        return new ParticipantOutcome.TimedOut(p.name(), p.phase(), p.order(), elapsed, context.figures(), why,
                                               abandoned);
    }

    /**
     * The clock of one run: reason, start and the global deadline.
     *
     * @param reason        why the run started
     * @param startNanos    when, on the {@link System#nanoTime()} clock
     * @param startedAt     when, on the wall clock
     * @param deadlineNanos when the global deadline ends, on the {@link System#nanoTime()} clock
     */
    record Clock(ShutdownReason reason, long startNanos, Instant startedAt, long deadlineNanos) {
        Duration remaining() {
            return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
        }

        Instant instantOf(long nanos) {
            return startedAt.plusNanos(nanos - startNanos);
        }
    }

    /** What ended a participant's budget. */
    private enum Bound { TIMEOUT, RESERVE, DEADLINE }

    /** What the participant's thread hands back: when it ended and what it threw, if anything. */
    private record Result(long endNanos, Throwable error) {
    }

    /** The context handed to one participant. */
    private static final class Context implements ShutdownContext {
        private final String name;
        private final ShutdownReason reason;
        private final Instant budgetEnd;
        private volatile long endNanos;
        private final Map<String, String> settings;
        private final Map<String, Long> figures = new ConcurrentSkipListMap<>();

        Context(String name, ShutdownReason reason, Instant budgetEnd, long endNanos, Map<String, String> settings) {
            this.name = name;
            this.reason = reason;
            this.budgetEnd = budgetEnd;
            this.endNanos = endNanos;
            this.settings = settings;
        }

        @Override
        public ShutdownReason reason() {
            return reason;
        }

        @Override
        public Instant budgetEnd() {
            return budgetEnd;
        }

        @Override
        public Duration remaining() {
            return Duration.ofNanos(Math.max(0, endNanos - System.nanoTime()));
        }

        /** Ends the budget now: once the coordinator gives up on the participant, remaining() is zero. */
        void expire() {
            endNanos = System.nanoTime();
        }

        @Override
        public void log(String message) {
            LOG.log(Level.INFO, "[" + name + "] " + message);
        }

        @Override
        public void record(String key, long value) {
            figures.put(Objects.requireNonNull(key, "key"), value);
        }

        @Override
        public Map<String, String> settings() {
            return settings;
        }

        Map<String, Long> figures() {
            return new TreeMap<>(figures);
        }
    }
}
