package dev.graceful.launcher;

import java.util.Optional;

/**
 * What a process that is PID 1 of its PID namespace becomes after a restart's hand-over: it stays, forwards signals
 * to the new process and reaps its children. The Java 22+ version of this class (in the jar's
 * {@code META-INF/versions/22}) does it through the Foreign Function API; this one, for Java 21, cannot, so as PID 1
 * a SIGHUP is refused.
 */
final class Supervisor {

    /** System property that turns supervising off: as PID 1, a SIGHUP is then refused. */
    static final String PROPERTY = "graceful.supervise";

    Supervisor(Process first, java.nio.file.Path servingFile) {
        throw new UnsupportedOperationException("needs Java 22");
    }

    /**
     * Says why this process cannot supervise.
     *
     * @return why: this Java has no Foreign Function API
     */
    static Optional<String> unavailable() {
        return Optional.of("needs Java 22 or newer (the Foreign Function API); this is Java "
                                   + Runtime.version().feature());
    }

    void forward(int signal) {
        throw new UnsupportedOperationException("needs Java 22");
    }

    int run() {
        throw new UnsupportedOperationException("needs Java 22");
    }
}
