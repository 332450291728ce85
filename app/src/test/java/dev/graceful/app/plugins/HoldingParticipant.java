package dev.graceful.app.plugins;

import dev.graceful.spi.ShutdownContext;
import dev.graceful.spi.ShutdownParticipant;

/** A test plugin that announces itself after the events flush (RELEASE, order 50) and then holds until interrupted. */
public final class HoldingParticipant implements ShutdownParticipant {

    /** Line printed on stderr when it starts holding. */
    public static final String HOLDING = "graceful-test: holding after the flush";

    /** Called by ServiceLoader. */
    public HoldingParticipant() {
    }

    @Override
    public String name() {
        return "holding";
    }

    @Override
    public int order() {
        return 50;
    }

    @Override
    public void shutdown(ShutdownContext context) throws InterruptedException {
        System.err.println(HOLDING);
        System.err.flush();
        Thread.sleep(context.remaining());
    }
}
