package dev.graceful;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;
import dev.graceful.spi.ShutdownPhase;

/** Waits at a barrier that only participants running at the same time can pass, and remembers its thread. */
final class BarrierParticipant implements ShutdownParticipant {

    private final String name;
    private final CyclicBarrier barrier;
    private volatile Thread thread;
    private volatile String threadName;

    BarrierParticipant(String name, CyclicBarrier barrier) {
        this.name = name;
        this.barrier = barrier;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ShutdownPhase phase() {
        return ShutdownPhase.DRAIN;
    }

    @Override
    public void shutdown(ShutdownContext context) throws Exception {
        thread = Thread.currentThread();
        threadName = thread.getName();
        barrier.await(5, TimeUnit.SECONDS);
    }

    Thread thread() {
        return thread;
    }

    /** The name its thread had while it ran. */
    String threadName() {
        return threadName;
    }
}
