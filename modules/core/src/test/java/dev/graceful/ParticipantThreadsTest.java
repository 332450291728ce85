package dev.graceful;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.sameInstance;
import static org.hamcrest.Matchers.startsWith;

class ParticipantThreadsTest {

    private static final long WAIT_SECONDS = 10;

    private final ParticipantThreads threads = new ParticipantThreads();

    @Test
    void startsATaskAtOnceWhileAnotherHangsOnEveryThreadThePoolHad() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch hanging = new CountDownLatch(1);
        threads.start("hung", () -> {
            hanging.countDown();
            awaitQuietly(release);
        });
        assertThat(hanging.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
        CountDownLatch ran = new CountDownLatch(1);
        AtomicReference<String> name = new AtomicReference<>();
        threads.start("next", () -> {
            name.set(Thread.currentThread().getName());
            ran.countDown();
        });

        // Had it been queued behind the hung task, it would wait for the release.
        assertThat(ran.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
        assertThat(name.get(), is("graceful-next"));
        release.countDown();
    }

    @Test
    void reusesAFreeThreadNamedForEachTaskAndIdleBetween() throws Exception {
        Thread first = runAndAwait("first");
        awaitIdle(first);
        Thread second = runAndAwait("second");

        assertThat(second, sameInstance(first));
        awaitIdle(second);
        assertThat(second.getName(), startsWith("graceful-idle-"));
        assertThat(second.isDaemon(), is(true));
        assertThat(second.isVirtual(), is(false));
    }

    @Test
    void runsManyShortTasksOnFewThreads() throws Exception {
        Set<Thread> used = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 100; i++) {
            CountDownLatch ran = new CountDownLatch(1);
            threads.start("short-" + i, () -> {
                used.add(Thread.currentThread());
                ran.countDown();
            });
            assertThat(ran.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
        }

        // A thread per task would make 100.
        assertThat(used.size(), lessThan(50));
    }

    @Test
    void keepsAnInterruptAimedAtOneParticipantFromTheNextItTakesStraightFromTheQueue() throws Exception {
        HandOffQueue queue = new HandOffQueue();
        ParticipantThreads handingOff = new ParticipantThreads(queue);
        AtomicBoolean interrupted = new AtomicBoolean(true);
        AtomicReference<Thread> secondThread = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        Runnable second = () -> {
            secondThread.set(Thread.currentThread());
            interrupted.set(Thread.currentThread().isInterrupted());
            ran.countDown();
        };
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<Thread> firstThread = new AtomicReference<>();
        FutureTask<Void> first = keepingItsInterrupt(waiting, firstThread);
        handingOff.start("interrupted", first);
        assertThat(waiting.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
        // Queued the moment the thread, free again, looks for its next task: it takes it without waiting.
        queue.beforeNextPoll(() -> handingOff.start("after", second));
        first.cancel(true);

        assertThat(ran.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
        assertThat(secondThread.get(), sameInstance(firstThread.get()));
        assertThat(interrupted.get(), is(false));
    }

    @Test
    void keepsAnInterruptAimedAtOneParticipantFromOneStartedAfterTheThreadWentIdle() throws Exception {
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicReference<Thread> firstThread = new AtomicReference<>();
        FutureTask<Void> first = keepingItsInterrupt(waiting, firstThread);
        threads.start("interrupted", first);
        assertThat(waiting.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
        first.cancel(true);
        awaitIdle(firstThread.get());

        AtomicBoolean interrupted = new AtomicBoolean(true);
        AtomicReference<Thread> secondThread = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        threads.start("after", () -> {
            secondThread.set(Thread.currentThread());
            interrupted.set(Thread.currentThread().isInterrupted());
            ran.countDown();
        });

        assertThat(ran.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
        assertThat(secondThread.get(), sameInstance(firstThread.get()));
        assertThat(interrupted.get(), is(false));
    }

    /**
     * A participant's task that waits until it is interrupted, then returns with the interrupt still set, as a
     * participant should; it records its thread and counts {@code waiting} down once it waits.
     */
    private static FutureTask<Void> keepingItsInterrupt(CountDownLatch waiting, AtomicReference<Thread> thread) {
        return new FutureTask<>(() -> {
            thread.set(Thread.currentThread());
            waiting.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, null);
    }

    private Thread runAndAwait(String name) throws InterruptedException {
        AtomicReference<Thread> thread = new AtomicReference<>();
        AtomicReference<String> seen = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        threads.start(name, () -> {
            thread.set(Thread.currentThread());
            seen.set(Thread.currentThread().getName());
            ran.countDown();
        });
        assertThat(ran.await(WAIT_SECONDS, TimeUnit.SECONDS), is(true));
        assertThat(seen.get(), is("graceful-" + name));
        return thread.get();
    }

    /**
     * Waits until the thread has finished its task and renamed itself idle, which it does once it is free for the next
     * task and about to wait for one. There is no event to wait on: the rename is the signal.
     */
    private static void awaitIdle(Thread thread) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!thread.getName().startsWith("graceful-idle-")) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("thread still named " + thread.getName());
            }
            Thread.onSpinWait();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A queue whose next non-blocking {@code poll()}, the one a thread makes as soon as it has finished a task, first
     * runs an action: a task queued there is one the thread takes straight away, without waiting.
     */
    private static final class HandOffQueue extends LinkedBlockingQueue<ParticipantThreads.Task> {
        private final AtomicReference<Runnable> beforeNextPoll = new AtomicReference<>();

        void beforeNextPoll(Runnable action) {
            beforeNextPoll.set(action);
        }

        @Override
        public ParticipantThreads.Task poll() {
            Runnable action = beforeNextPoll.getAndSet(null);
            if (action != null) {
                action.run();
            }
            return super.poll();
        }
    }
}
