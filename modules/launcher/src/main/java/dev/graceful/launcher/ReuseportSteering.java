package dev.graceful.launcher;

import java.util.List;

/**
 * Steers the new connections of a port's {@code SO_REUSEPORT} group to this process's listener, so that a restart's
 * hand-over loses nothing queued in the kernel. The Java 22+ version of this class (in the jar's
 * {@code META-INF/versions/22}) attaches a classic-BPF program to the group through the Foreign Function API; this one,
 * for Java 21, cannot.
 */
final class ReuseportSteering {

    private ReuseportSteering() {
    }

    /**
     * Steers every new connection of the ports to this process's listeners.
     *
     * @param ports the listening ports of this process
     * @return {@code null} when steered, else why not
     */
    static String steer(List<Integer> ports) {
        return "needs Java 22 or newer (the Foreign Function API); this is Java " + Runtime.version().feature();
    }

    /** Links what steering needs ahead of time; nothing to link on Java 21. */
    static void link() {
        // nothing: steer() cannot on this Java
    }
}
