package dev.graceful.app.plugins;

import java.util.concurrent.locks.LockSupport;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A test plugin that hangs and ignores interruption, as a stuck native call or a careless loop does. */
public final class StubbornParticipant implements ShutdownParticipant {

    /** Called by ServiceLoader. */
    public StubbornParticipant() {
    }

    @Override
    public String name() {
        return "stubborn";
    }

    @Override
    public void shutdown(ShutdownContext context) {
        while (true) {
            LockSupport.parkNanos(1_000_000_000L);
            Thread.interrupted();
        }
    }
}
