package dev.graceful;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform daemon threads participants run on, shared by every coordinator of the JVM: made when needed, reused,
 * and ended after {@link #KEEP_ALIVE_SECONDS} idle.
 *
 * <p>Every task starts at once: a task is queued only when a thread is free to take it, and otherwise gets a new
 * thread, so a task never waits behind another (a hung participant keeps its thread and holds up nothing). Unlike a
 * cached {@link java.util.concurrent.ThreadPoolExecutor}, whose hand-off parks the submitter's task until one
 * particular idle thread wakes, a queued task goes to whichever free thread polls first, and a thread that has just
 * finished one participant takes the next without parking: 1,000 no-op participants in groups of 25 run in about half
 * the time ({@code CoordinatorOverheadBenchmark}).
 *
 * <p>Each thread is named {@code graceful-<name>} while it runs a participant, and {@code graceful-idle-N} while it
 * waits for one; when another task is already queued, it goes straight from one participant's name to the next.
 */
final class ParticipantThreads {

    /** How long a thread waits for a task before it ends. */
    static final long KEEP_ALIVE_SECONDS = 60;

    private final LinkedBlockingQueue<Task> queue;
    /**
     * Threads free to take a task, less the tasks queued for them. Never negative: a task is queued only after it
     * claimed one, and a thread ends only if it can give up its own unclaimed place.
     */
    private final AtomicInteger free = new AtomicInteger();
    private final AtomicInteger made = new AtomicInteger();

    ParticipantThreads() {
        this(new LinkedBlockingQueue<>());
    }

    /** With the queue the threads take their tasks from; a test's can act as a thread takes the next. */
    ParticipantThreads(LinkedBlockingQueue<Task> queue) {
        this.queue = queue;
    }

    /**
     * Runs {@code task} on a thread of the pool named {@code "graceful-" + name}, now.
     *
     * @param name the participant's name
     * @param task what to run; it must not throw
     * @throws OutOfMemoryError if the task could be neither queued for a free thread nor given a new one
     */
    void start(String name, Runnable task) {
        Task t = new Task("graceful-" + name, task);
        for (int n = free.get(); n > 0; n = free.get()) {
            if (free.compareAndSet(n, n - 1)) {
                try {
                    queue.add(t);
                } catch (Throwable noMemory) {
                    // not queued: the place claimed is still free
                    free.incrementAndGet();
                    throw noMemory;
                }
                return;
            }
        }
        // Everything the new thread needs is made here, where a failure reaches the caller (which then runs the task
        // on a virtual thread) instead of ending the new thread before it ran the task.
        String idle = "graceful-idle-" + made.incrementAndGet();
        Thread.ofPlatform().daemon(true).name(t.threadName()).start(() -> work(t, idle));
    }

    /** A thread's life: the first task, then each task it takes, until it has waited {@link #KEEP_ALIVE_SECONDS}. */
    private void work(Task first, String idle) {
        Thread self = Thread.currentThread();
        Task task = first;
        while (task != null) {
            if (!self.getName().equals(task.threadName())) {
                self.setName(task.threadName());
            }
            // An interrupt aimed at the last participant must not reach this one.
            Thread.interrupted();
            task.run().run();
            free.incrementAndGet();
            task = queue.poll();
            if (task == null) {
                self.setName(idle);
                task = await();
            }
        }
    }

    /** Waits for a task; returns null once the thread has waited long enough and gave up its place. */
    private Task await() {
        while (true) {
            Task task;
            try {
                task = queue.poll(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException late) {
                // An interrupt that came after the participant returned: ignore it.
                continue;
            }
            if (task != null) {
                return task;
            }
            int n = free.get();
            // n == 0: every free thread, this one included, is claimed by a task on its way to the queue.
            if (n > 0 && free.compareAndSet(n, n - 1)) {
                return null;
            }
        }
    }

    /**
     * A participant's task and the name its thread takes while it runs.
     *
     * @param threadName the thread's name
     * @param run        the task
     */
    record Task(String threadName, Runnable run) {
    }
}
