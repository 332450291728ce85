package dev.graceful;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;
import dev.graceful.spi.ShutdownReason;

/**
 * Measures the coordinator's own overhead: 1,000 no-op participants, 250 per phase, with orders {@code i % 10}
 * (so each phase has ten groups of 25 that run concurrently). It is a main method, not a test, because timings
 * on shared build machines are too noisy to assert on. It warms up with 200 build-and-run cycles, then measures 50
 * and prints the median and 90th percentile of {@code run()} and of {@code build()} plus {@code run()}. While it
 * measures, standard error goes to a null stream: the coordinator still logs (six INFO records a run), but the
 * console's speed stays out of the figures.
 *
 * <p>Beside {@code run()}, in alternation with it, it measures what the same thread hand-offs cost on a JDK cached
 * thread pool, which the coordinator used before: the same 40 groups of 25 no-op tasks handed to
 * {@link Executors#newCachedThreadPool}, each renaming its thread to {@code graceful-…} and back, each group awaited
 * before the next, with no coordinator. A cached pool hands each task to one particular parked thread and wakes it;
 * the coordinator's own pool ({@code ParticipantThreads}) lets a thread that has just finished one participant take
 * the next. On a shared machine the hand-offs dominate and drift from minute to minute, so the two are measured
 * together.
 *
 * <p>Run it from the repository root after {@code mvn -pl modules/core verify}:
 * <pre>
 * "$(bin/graceful java)" -cp modules/core/target/classes:modules/core/target/test-classes \
 *     dev.graceful.CoordinatorOverheadBenchmark
 * </pre>
 */
public final class CoordinatorOverheadBenchmark {

    private static final int PARTICIPANTS = 1_000;
    private static final int WARM_UP_RUNS = 200;
    private static final int MEASURED_RUNS = 50;
    private static final ShutdownPhase[] PHASES = ShutdownPhase.values();

    private CoordinatorOverheadBenchmark() {
    }

    /**
     * Runs the benchmark and prints its figures.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        PrintStream console = System.err;
        // Set before the first log record, so the logging console handler binds to the null stream for good.
        System.setErr(new PrintStream(OutputStream.nullOutputStream()));
        try {
            measure();
        } finally {
            System.setErr(console);
        }
    }

    private static void measure() {
        for (int i = 0; i < WARM_UP_RUNS; i++) {
            check(build().run(ShutdownReason.REQUESTED));
        }
        ExecutorService pool = Executors.newCachedThreadPool(Thread.ofPlatform().daemon(true).factory());
        for (int i = 0; i < WARM_UP_RUNS; i++) {
            handOffs(pool);
        }
        long[] runOnly = new long[MEASURED_RUNS];
        long[] buildAndRun = new long[MEASURED_RUNS];
        long[] cachedPool = new long[MEASURED_RUNS];
        for (int i = 0; i < MEASURED_RUNS; i++) {
            long start = System.nanoTime();
            ShutdownCoordinator coordinator = build();
            long built = System.nanoTime();
            ShutdownReport report = coordinator.run(ShutdownReason.REQUESTED);
            long ran = System.nanoTime();
            check(report);
            runOnly[i] = ran - built;
            buildAndRun[i] = ran - start;
            cachedPool[i] = handOffs(pool);
        }
        System.out.printf(Locale.ROOT, "%,d no-op participants, %d phases, orders i %% 10; "
                                  + "%d warm-up runs, %d measured; JDK %s, %d CPUs%n",
                          PARTICIPANTS, PHASES.length, WARM_UP_RUNS, MEASURED_RUNS, Runtime.version(),
                          Runtime.getRuntime().availableProcessors());
        print("run()", runOnly);
        print("build() + run()", buildAndRun);
        print("cached pool", cachedPool);
    }

    /**
     * The groups of {@code run()} (each phase's participants by order) as no-op tasks on a cached pool of platform
     * threads, each group awaited before the next starts, with no coordinator. Returns the nanoseconds it took.
     */
    private static long handOffs(ExecutorService pool) {
        int groups = PHASES.length * 10;
        int perGroup = PARTICIPANTS / groups;
        long start = System.nanoTime();
        for (int g = 0; g < groups; g++) {
            CompletableFuture<?>[] done = new CompletableFuture<?>[perGroup];
            for (int k = 0; k < perGroup; k++) {
                CompletableFuture<Void> task = new CompletableFuture<>();
                pool.execute(() -> {
                    Thread self = Thread.currentThread();
                    String idle = self.getName();
                    self.setName("graceful-no-op");
                    task.complete(null);
                    self.setName(idle);
                });
                done[k] = task;
            }
            CompletableFuture.allOf(done).join();
        }
        return System.nanoTime() - start;
    }

    private static ShutdownCoordinator build() {
        ShutdownCoordinator.Builder builder = ShutdownCoordinator.builder();
        for (int i = 0; i < PARTICIPANTS; i++) {
            builder.add(new NoOpParticipant("no-op-" + i, PHASES[i * PHASES.length / PARTICIPANTS], i % 10));
        }
        return builder.build();
    }

    private static void check(ShutdownReport report) {
        if (!report.isClean() || report.outcomes().size() != PARTICIPANTS) {
            throw new IllegalStateException("Expected a clean run of " + PARTICIPANTS + " participants: "
                                                    + report.toTable());
        }
    }

    private static void print(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2.0 / 1e6;
        double p90 = sorted[(int) Math.ceil(0.9 * sorted.length) - 1] / 1e6;
        System.out.printf(Locale.ROOT, "%-16s median %7.3f ms   p90 %7.3f ms   max %7.3f ms%n",
                          what, median, p90, sorted[sorted.length - 1] / 1e6);
    }

    /** Does nothing, so that only the coordinator's own work is measured. */
    private record NoOpParticipant(String name, ShutdownPhase phase, int order) implements ShutdownParticipant {
        @Override
        public void shutdown(ShutdownContext context) {
        }
    }
}
