package dev.graceful;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

/**
 * Runs shutdown participants in their fixed phases under one global deadline, and reports what each did.
 *
 * <p>Ordering: phases run strictly in {@link ShutdownPhase} order; within a phase, participants run in ascending
 * {@link ShutdownParticipant#order()}. Participants of equal order run concurrently, each on a platform daemon
 * thread of its own (named {@code graceful-<name>}; not a virtual thread, which under load would queue behind the
 * request handlers'), so they must be safe to run together. A participant's metadata (name, phase, order, timeout,
 * minimum budget) is read once, at {@link Builder#build()}.
 *
 * <p>Timing: the deadline clock starts when {@link #run(ShutdownReason)} is called. Each participant's budget is the
 * least of its timeout, the time left before the deadline, and that time less what is reserved for the minimum
 * budgets of the participants after it ({@link ShutdownParticipant#minimumBudget()}); {@link ShutdownContext#budgetEnd()}
 * is its end. A participant that overruns is interrupted and recorded {@link ParticipantOutcome.TimedOut}; it gets
 * {@link #INTERRUPT_GRACE} to return, and one that does not is abandoned, never waited for again. Once the deadline
 * is spent, participants not yet started are recorded {@link ParticipantOutcome.Skipped} and {@code run} returns. A
 * participant that throws is recorded {@link ParticipantOutcome.Failed}; the sequence goes on.
 *
 * <p>Idempotence and threading: this class is thread-safe. {@code run} executes the sequence at most once; every
 * other call, from any thread, waits for and returns the same report. {@link #force()} stops all waiting at once.
 * The coordinator never calls {@code System.exit}.
 */
public final class ShutdownCoordinator {

    private static final System.Logger LOG = System.getLogger("dev.graceful");
    private static final Pattern KEBAB_CASE = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    /** How long an interrupted participant may take to return before it is recorded as abandoned. */
    public static final Duration INTERRUPT_GRACE = Duration.ofMillis(100);

    /**
     * The threads participants run on: platform daemon threads, made when needed and reused, shared by every
     * coordinator of the JVM. Not virtual threads: under load a virtual thread queues behind the request handlers' own
     * virtual threads on the carriers, and every participant would start late by as much (the {@code listener}
     * participant took up to 139 ms under wrk load on virtual threads, 8 to 20 ms on these). An abandoned participant
     * keeps its thread; an idle thread ends after a minute.
     */
    private static final ParticipantThreads PARTICIPANT_THREADS = new ParticipantThreads();

    private final ShutdownConfig config;
    private final List<PlannedParticipant> entries;
    /** The entries in groups of equal phase and order, each with the reserve the groups after it need. */
    private final List<Group> groups;
    private final List<String> disabled;
    private final AtomicReference<CompletableFuture<ShutdownReport>> run = new AtomicReference<>();
    private final CompletableFuture<Void> forced = new CompletableFuture<>();
    /** A rehearsal's coordinator: it logs nothing. */
    private final boolean quiet;

    private ShutdownCoordinator(ShutdownConfig config, List<PlannedParticipant> entries, List<Group> groups,
                                List<String> disabled, boolean quiet) {
        this.config = config;
        this.entries = entries;
        this.groups = groups;
        this.disabled = disabled;
        this.quiet = quiet;
    }

    /**
     * Returns a builder with the default configuration and no participants.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the configuration this coordinator runs with.
     *
     * @return the configuration
     */
    public ShutdownConfig config() {
        return config;
    }

    /**
     * Returns the resolved sequence: enabled participants in execution order with their timeouts, and the
     * disabled ones.
     *
     * @return the plan
     */
    public ShutdownPlan plan() {
        List<ShutdownPlan.Step> steps = entries.stream().map(PlannedParticipant::step).toList();
        Duration minimums = groups.isEmpty() ? Duration.ZERO : groups.getFirst().reserveFrom();
        return new ShutdownPlan(config.deadline(), steps, disabled, config.readinessDelay(), config.gracePeriod(),
                                minimums);
    }

    /**
     * Returns whether {@link #run(ShutdownReason)} has been called.
     *
     * @return {@code true} once a run has started
     */
    public boolean isStarted() {
        return run.get() != null;
    }

    /**
     * Returns the report of the finished run.
     *
     * @return the report, or empty while no run has finished
     */
    public Optional<ShutdownReport> report() {
        CompletableFuture<ShutdownReport> r = run.get();
        return r != null && r.isDone() && !r.isCompletedExceptionally() ? Optional.of(r.join()) : Optional.empty();
    }

    /**
     * Runs the shutdown sequence once and returns its report. The global deadline is counted from this call.
     * A second call, from this or another thread, starts nothing: it waits for the first run and returns the same
     * report.
     *
     * @param reason why the shutdown is happening
     * @return the report; returned no later than the deadline plus {@link #INTERRUPT_GRACE} (the grace an
     *         interrupted participant gets to return), plus the time a phase listener or the writing of the report
     *         itself takes
     */
    public ShutdownReport run(ShutdownReason reason) {
        return run(reason, PhaseListener.NONE);
    }

    /**
     * Runs the shutdown sequence once, as {@link #run(ShutdownReason)} does, and tells the listener as each phase
     * that has participants starts. The listener is called on the thread that runs the sequence, before the phase's
     * first participant starts; what it throws is logged and ignored, and the time it takes counts against the
     * deadline. A second call waits for the first run and does not call its listener.
     *
     * @param reason   why the shutdown is happening
     * @param listener told as each phase starts
     * @return the report
     */
    public ShutdownReport run(ShutdownReason reason, PhaseListener listener) {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(listener, "listener");
        CompletableFuture<ShutdownReport> mine = new CompletableFuture<>();
        if (!run.compareAndSet(null, mine)) {
            return run.get().join();
        }
        try {
            ShutdownReport report = execute(reason, listener);
            mine.complete(report);
            return report;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * Runs the sequence's own code once, so that the first real run does not load, link and interpret it cold: a
     * stop then starts its participants some milliseconds sooner. Each participant is stood in for by one that does
     * nothing but read its context and record a figure, in the same phase, order and timeout, under the same
     * deadline; none of this coordinator's participants is called, nothing is logged, and {@link #isStarted()} and
     * later runs are not affected. Safe to call at any time, from any thread, also while a real run goes on; call it
     * once serving, off the request path.
     *
     * @return the rehearsal's report, in which every stand-in completed
     */
    public ShutdownReport rehearse() {
        List<PlannedParticipant> standIns = new ArrayList<>(entries.size());
        for (PlannedParticipant e : entries) {
            ShutdownPlan.Step step = new ShutdownPlan.Step(e.name(), e.phase(), e.order(), e.timeout(), Duration.ZERO,
                                                           StandIn.class.getName());
            standIns.add(new PlannedParticipant(new StandIn(), step, Map.of(), e.index()));
        }
        return new ShutdownCoordinator(config, standIns, groupsOf(standIns), List.of(), true)
                .execute(ShutdownReason.SIGTERM, PhaseListener.NONE);
    }

    /** Stands in for a participant in a rehearsal: touches what a participant may use of its context. */
    private static final class StandIn implements ShutdownParticipant {
        @Override
        public void shutdown(ShutdownContext context) {
            context.record("budget-end-epoch-ms", context.budgetEnd().toEpochMilli());
            context.record("remaining-ms", context.remaining().toMillis());
            context.record("settings", context.settings().size());
        }
    }

    /**
     * Stops all waiting at once: running participants are interrupted and recorded as timed out, the rest are
     * skipped, and {@link #run(ShutdownReason)} returns its report. Does nothing after a run has finished; before
     * one has started, the run that follows skips everything.
     */
    public void force() {
        if (forced.complete(null)) {
            LOG.log(Level.WARNING, "Shutdown forced: waiting stops now");
        }
    }

    private ShutdownReport execute(ShutdownReason reason, PhaseListener listener) {
        long start = System.nanoTime();
        Instant startedAt = Instant.now();
        long deadlineNanos = start + ParticipantRun.nanos(config.deadline());
        ParticipantRun.Clock clock = new ParticipantRun.Clock(reason, start, startedAt, deadlineNanos);
        log("Shutdown started (" + reason + "), deadline " + Durations.format(config.deadline())
                + ", " + entries.size() + " participants");
        List<ParticipantOutcome> outcomes = new ArrayList<>(entries.size());
        Map<ShutdownPhase, Duration> phases = new java.util.EnumMap<>(ShutdownPhase.class);
        ShutdownPhase phase = null;
        long phaseStart = start;
        for (Group g : groups) {
            List<PlannedParticipant> group = g.entries();
            if (group.getFirst().phase() != phase) {
                if (phase != null) {
                    phases.put(phase, Duration.ofNanos(System.nanoTime() - phaseStart));
                }
                phase = group.getFirst().phase();
                phaseStart = System.nanoTime();
                log("Phase " + phase + " starting, " + Durations.format(clock.remaining()) + " left");
                tell(listener, phase, clock.remaining());
            }
            long reserveAfter = ParticipantRun.nanos(g.reserveAfter());
            long limit = deadlineNanos - reserveAfter;
            String skip = forced.isDone()
                    ? "the shutdown was forced before it started"
                    : clock.remaining().isZero()
                    ? "the global deadline of " + Durations.format(config.deadline()) + " was spent before it started"
                    : limit - System.nanoTime() <= 0
                    ? "no time was left once " + Durations.format(g.reserveAfter())
                            + " was reserved for the minimum budgets of later participants"
                    : null;
            if (skip == null) {
                outcomes.addAll(runGroup(group, clock, reserveAfter));
            } else {
                for (PlannedParticipant e : group) {
                    outcomes.add(new ParticipantOutcome.Skipped(e.name(), e.phase(), e.order(), skip));
                }
            }
        }
        if (phase != null) {
            phases.put(phase, Duration.ofNanos(System.nanoTime() - phaseStart));
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        ShutdownReport report = new ShutdownReport(reason, startedAt, elapsed, config.deadline(), forced.isDone(),
                                                   outcomes, phases);
        log("Shutdown " + (report.isClean() ? "completed" : "ended NOT clean") + " in "
                + Durations.format(elapsed));
        return report;
    }

    private void log(String message) {
        if (!quiet) {
            LOG.log(Level.INFO, message);
        }
    }

    private List<ParticipantOutcome> runGroup(List<PlannedParticipant> group, ParticipantRun.Clock clock, long reserveNanos) {
        // A permit for each participant that returns and one if the run is forced: the coordinator wakes at once,
        // records the outcome and logs it, and otherwise sleeps until the first budget ends.
        Semaphore wakeUps = new Semaphore(0);
        ParticipantRun[] runs = new ParticipantRun[group.size()];
        for (int k = 0; k < runs.length; k++) {
            runs[k] = ParticipantRun.start(group.get(k), clock, reserveNanos, PARTICIPANT_THREADS);
            runs[k].done().thenRun(wakeUps::release);
        }
        forced.thenRun(wakeUps::release);
        ParticipantOutcome[] results = new ParticipantOutcome[runs.length];
        int left = runs.length;
        while (left > 0) {
            long now = System.nanoTime();
            // the first budget to end; compared by difference, as System.nanoTime() may be negative
            long next = 0;
            boolean any = false;
            for (int k = 0; k < runs.length; k++) {
                if (results[k] == null && (!any || runs[k].endNanos() - next < 0)) {
                    next = runs[k].endNanos();
                    any = true;
                }
            }
            if (!forced.isDone() && next - now > 0) {
                try {
                    wakeUps.tryAcquire(next - now, TimeUnit.NANOSECONDS);
                    // one look below takes in every participant that has returned by then
                    wakeUps.drainPermits();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    force();
                }
            }
            now = System.nanoTime();
            boolean isForced = forced.isDone();
            List<Integer> expired = new ArrayList<>();
            for (int k = 0; k < runs.length; k++) {
                if (results[k] != null) {
                    continue;
                }
                if (runs[k].done().isDone()) {
                    results[k] = runs[k].finished();
                    left--;
                } else if (isForced || now - runs[k].endNanos() >= 0) {
                    runs[k].interrupt();
                    expired.add(k);
                }
            }
            if (!expired.isEmpty()) {
                awaitInterrupted(expired.stream().map(k -> runs[k]).toList(), isForced);
                for (int k : expired) {
                    results[k] = runs[k].gaveUp(isForced, now, config.deadline(), clock);
                    left--;
                }
            }
        }
        return List.of(results);
    }

    /**
     * Gives interrupted participants a short, bounded moment to return, so that what they record while winding down
     * (for example how many requests a drain aborted) reaches the report, and the report can tell a participant that
     * honoured the interrupt from one that was abandoned. Never waits when forced; at most the grace otherwise.
     */
    private void awaitInterrupted(List<ParticipantRun> expired, boolean isForced) {
        if (isForced) {
            return;
        }
        CompletableFuture<?>[] all = expired.stream().map(ParticipantRun::done).toArray(CompletableFuture<?>[]::new);
        CompletableFuture<?>[] allOrForced = {CompletableFuture.allOf(all), forced};
        try {
            CompletableFuture.anyOf(allOrForced).get(INTERRUPT_GRACE.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException expected) {
            // abandoned: recorded as such
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            force();
        } catch (ExecutionException e) {
            throw new IllegalStateException("participant completion never fails", e);
        }
    }

    private static void tell(PhaseListener listener, ShutdownPhase phase, Duration remaining) {
        try {
            listener.phaseStarted(phase, remaining);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "The phase listener failed on phase " + phase + "; the shutdown goes on", e);
        }
    }

    /**
     * Told as each phase of a run starts; see {@link #run(ShutdownReason, PhaseListener)}.
     */
    @FunctionalInterface
    public interface PhaseListener {
        /** A listener that does nothing. */
        PhaseListener NONE = (phase, remaining) -> { };

        /**
         * A phase starts.
         *
         * @param phase     the phase
         * @param remaining the time left before the global deadline
         */
        void phaseStarted(ShutdownPhase phase, Duration remaining);
    }

    /**
     * Splits entries sorted by phase and order into groups of equal phase and order, which run concurrently, each
     * with the largest minimum budget in it and the sum of those of the groups after it: the one place the reserve
     * is computed.
     */
    private static List<Group> groupsOf(List<PlannedParticipant> sorted) {
        List<List<PlannedParticipant>> split = new ArrayList<>();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j < sorted.size() && sorted.get(j).phase() == sorted.get(i).phase()
                    && sorted.get(j).order() == sorted.get(i).order()) {
                j++;
            }
            split.add(sorted.subList(i, j));
            i = j;
        }
        List<Group> groups = new ArrayList<>(split.size());
        Duration after = Duration.ZERO;
        for (int g = split.size() - 1; g >= 0; g--) {
            List<PlannedParticipant> group = List.copyOf(split.get(g));
            PlannedParticipant most = group.stream().max(Comparator.comparing(PlannedParticipant::minimumBudget)).orElseThrow();
            groups.addFirst(new Group(group, most, after));
            after = after.plus(most.minimumBudget());
        }
        return List.copyOf(groups);
    }

    /**
     * Participants of equal phase and order, which run concurrently.
     *
     * @param entries      the participants
     * @param mostMinimum  the one with the largest minimum budget: the group's own reserve
     * @param reserveAfter what the groups after this one reserve
     */
    private record Group(List<PlannedParticipant> entries, PlannedParticipant mostMinimum, Duration reserveAfter) {
        /** What this group and every group after it reserve. */
        Duration reserveFrom() {
            return reserveAfter.plus(mostMinimum.minimumBudget());
        }
    }

    /**
     * Builds a {@link ShutdownCoordinator}: configuration plus participants found with {@link ServiceLoader} and
     * registered in code. Not thread-safe.
     */
    public static final class Builder {
        private ShutdownConfig config = ShutdownConfig.defaults();
        private final List<ShutdownParticipant> participants = new ArrayList<>();

        private Builder() {
        }

        /**
         * Sets the configuration.
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder config(ShutdownConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Registers a participant the application owns.
         *
         * @param participant the participant
         * @return this builder
         */
        public Builder add(ShutdownParticipant participant) {
            participants.add(Objects.requireNonNull(participant, "participant"));
            return this;
        }

        /**
         * Adds every participant that {@link ServiceLoader} finds through the given class loader.
         *
         * @param loader the class loader to search
         * @return this builder
         * @throws IllegalStateException naming the provider class when one cannot be loaded or instantiated
         */
        public Builder discover(ClassLoader loader) {
            ServiceLoader<ShutdownParticipant> services = ServiceLoader.load(ShutdownParticipant.class, loader);
            Iterator<ServiceLoader.Provider<ShutdownParticipant>> it = services.stream().iterator();
            while (true) {
                ServiceLoader.Provider<ShutdownParticipant> provider;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    provider = it.next();
                } catch (ServiceConfigurationError e) {
                    throw new IllegalStateException("Cannot load a shutdown participant provider: " + e.getMessage(),
                                                    e);
                }
                String type;
                try {
                    type = provider.type().getName();
                } catch (ServiceConfigurationError e) {
                    throw new IllegalStateException("Cannot load a shutdown participant provider: " + e.getMessage(),
                                                    e);
                }
                try {
                    participants.add(provider.get());
                } catch (ServiceConfigurationError | RuntimeException | ExceptionInInitializerError e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    throw new IllegalStateException("Shutdown participant provider " + type
                            + " could not be instantiated: " + cause, e);
                }
            }
            return this;
        }

        /**
         * Adds every participant that {@link ServiceLoader} finds through the thread's context class loader.
         *
         * @return this builder
         * @throws IllegalStateException naming the provider class when one cannot be loaded or instantiated
         */
        public Builder discover() {
            return discover(Thread.currentThread().getContextClassLoader());
        }

        /**
         * Validates the participants against each other and the configuration, and builds the coordinator.
         *
         * @return the coordinator
         * @throws IllegalArgumentException naming the participant at fault: a duplicate or non-kebab-case name, a
         *                                  missing phase or a non-positive timeout
         * @throws ShutdownConfigException  naming the key, for configuration of an unknown participant
         */
        public ShutdownCoordinator build() {
            Map<String, ShutdownParticipant> byName = new HashMap<>();
            List<PlannedParticipant> entries = new ArrayList<>();
            List<String> disabled = new ArrayList<>();
            for (ShutdownParticipant p : participants) {
                String name = checkedName(p, byName);
                PlannedParticipant entry = entryOf(p, name, entries.size());
                if (entry == null) {
                    disabled.add(name);
                } else {
                    entries.add(entry);
                }
            }
            Set<String> unknown = new LinkedHashSet<>(new TreeMap<>(config.participants()).keySet());
            unknown.removeAll(byName.keySet());
            if (!unknown.isEmpty()) {
                String name = unknown.iterator().next();
                throw new ShutdownConfigException(ShutdownConfig.PARTICIPANTS + "." + name, null,
                                                  "no participant is named '" + name + "'; known participants: "
                                                          + new TreeMap<>(byName).keySet());
            }
            entries.sort(Comparator.comparing(PlannedParticipant::phase).thenComparingInt(PlannedParticipant::order)
                                 .thenComparingInt(PlannedParticipant::index));
            List<Group> groups = groupsOf(entries);
            checkMinimumsFit(groups);
            return new ShutdownCoordinator(config, List.copyOf(entries), groups, List.copyOf(disabled), false);
        }

        /** The participant's name, once checked to be kebab-case and unique. */
        private static String checkedName(ShutdownParticipant p, Map<String, ShutdownParticipant> byName) {
            String type = p.getClass().getName();
            String name = p.name();
            if (name == null || !KEBAB_CASE.matcher(name).matches()) {
                throw new IllegalArgumentException("Participant " + type + " has name '" + name
                        + "', which is not kebab-case (expected lower-case words joined by '-', e.g. 'db-pool')");
            }
            ShutdownParticipant previous = byName.putIfAbsent(name, p);
            if (previous != null) {
                throw new IllegalArgumentException("Duplicate participant name '" + name + "': "
                        + previous.getClass().getName() + " and " + type);
            }
            return name;
        }

        /** The participant's entry, its metadata read once and checked; {@code null} when it is disabled. */
        private PlannedParticipant entryOf(ShutdownParticipant p, String name, int index) {
            String type = p.getClass().getName();
            ShutdownPhase phase = p.phase();
            if (phase == null) {
                throw new IllegalArgumentException("Participant '" + name + "' (" + type + ") has no phase; "
                        + "expected one of " + List.of(ShutdownPhase.values()));
            }
            Optional<Duration> ownTimeout = Objects.requireNonNullElse(p.timeout(), Optional.empty());
            ownTimeout.ifPresent(t -> {
                if (t.isZero() || t.isNegative()) {
                    throw new IllegalArgumentException("Participant '" + name + "' (" + type
                            + ") declares timeout " + t + "; expected a positive duration");
                }
            });
            ShutdownConfig.ParticipantConfig pc = config.participant(name);
            if (!pc.enabled()) {
                return null;
            }
            Duration minimum = Objects.requireNonNullElse(p.minimumBudget(), Duration.ZERO);
            if (minimum.isNegative()) {
                throw new IllegalArgumentException("Participant '" + name + "' (" + type
                        + ") declares minimum budget " + minimum + "; expected zero or more");
            }
            ShutdownPlan.Step step = new ShutdownPlan.Step(name, phase, p.order(), pc.timeout().or(() -> ownTimeout),
                                                           minimum, type);
            return new PlannedParticipant(p, step, pc.settings(), index);
        }

        /** The readiness delay plus the largest minimum budget of each group must fit in the deadline. */
        private void checkMinimumsFit(List<Group> groups) {
            Duration minimums = groups.isEmpty() ? Duration.ZERO : groups.getFirst().reserveFrom();
            StringBuilder needs = new StringBuilder();
            for (Group group : groups) {
                PlannedParticipant most = group.mostMinimum();
                if (!most.minimumBudget().isZero()) {
                    needs.append(needs.isEmpty() ? "" : ", ").append(most.name()).append(' ')
                            .append(Durations.format(most.minimumBudget()));
                }
            }
            Duration needed = config.readinessDelay().plus(minimums);
            if (needed.compareTo(config.deadline()) > 0) {
                throw new ShutdownConfigException(ShutdownConfig.DEADLINE, Durations.format(config.deadline()),
                        "must cover " + ShutdownConfig.READINESS_DELAY + " ("
                                + Durations.format(config.readinessDelay()) + ") plus the participants' minimum "
                                + "budgets (" + needs + ") = " + Durations.format(needed));
            }
        }
    }
}
