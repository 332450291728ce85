package dev.graceful.launcher;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a process that is PID 1 of its PID namespace (the init of a container) becomes after a restart's hand-over:
 * its exit would end the namespace and kill the new process, so it stays. It forwards SIGTERM, SIGINT and SIGHUP
 * to the serving process, reaps every child (an init must: orphans of the namespace become its children), follows
 * the service to the process that takes over from it when it restarts in turn, and exits with the exit code of the
 * last one. Which process serves it learns from the serving file, where each copy that takes over writes its pid
 * ({@link Restart#SERVING_FILE_ENV}): never from the process tree, where any orphan may turn up. Through libc's {@code waitpid} and {@code kill} (the Foreign Function API, Java 22+); the Java 21 version
 * of this class is never available.
 */
final class Supervisor {

    /** System property that turns supervising off: as PID 1, a SIGHUP is then refused. */
    static final String PROPERTY = "graceful.supervise";

    private static final int WNOHANG = 1;
    private static final int SIGINT = 2;
    private static final int SIGTERM = 15;
    private static final long TICK_MILLIS = 50;
    private static final Linker LINKER = Linker.nativeLinker();

    private final Process first;
    private final Path servingFile;
    /** The service process whose exit is awaited: the first copy, then each that took over from the one before. */
    private volatile long current;
    /** The stop signal forwarded, if one was, and the processes it went to. */
    private volatile int stopSignal;
    private final java.util.Set<Long> stopped = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Supervises the process a hand-over went to.
     *
     * @param first       the new process, started by this one
     * @param servingFile where each copy that takes over writes its pid
     */
    Supervisor(Process first, Path servingFile) {
        this.first = first;
        this.servingFile = servingFile;
        this.current = first.pid();
    }

    /**
     * Says why this process cannot supervise, if it cannot.
     *
     * @return empty when it can
     */
    static Optional<String> unavailable() {
        if ("false".equals(System.getProperty(PROPERTY))) {
            return Optional.of("-D" + PROPERTY + "=false");
        }
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.of("not Linux");
        }
        if (!Supervisor.class.getModule().isNativeAccessEnabled()) {
            return Optional.of("native access is not enabled (jar manifest 'Enable-Native-Access: ALL-UNNAMED')");
        }
        return Linked.problem();
    }

    /**
     * Sends a signal to the service process.
     *
     * @param signal the signal's number
     */
    void forward(int signal) {
        long target = serving().orElse(current);
        if (signal == SIGTERM || signal == SIGINT) {
            stopSignal = signal;
            stopped.add(target);
        }
        send(target, signal);
    }

    private static void send(long target, int signal) {
        try {
            int rc = (int) Linked.KILL.invokeExact((int) target, signal);
            if (rc != 0) {
                System.err.println("graceful: could not forward signal " + signal + " to pid " + target);
            }
        } catch (Throwable t) {
            System.err.println("graceful: could not forward signal " + signal + " to pid " + target + ": " + t);
        }
    }

    /**
     * The process that serves: the last that wrote the serving file, while it lives. A copy writes it as it takes
     * over, so a signal during a hand-over goes to the new process, not to the one winding down.
     */
    private Optional<Long> serving() {
        try {
            long pid = Long.parseLong(Files.readString(servingFile).strip());
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                    .orElse(false) ? Optional.of(pid) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Reaps children until the service process, and every process that took over from it, has exited.
     *
     * @return the exit code of the last one: its own, or 128 plus the signal that ended it
     */
    int run() {
        // What the service held is garbage now, and this process only waits: give the memory back to the system.
        System.gc();
        Linked.trimNativeHeap();
        Map<Long, Integer> exited = new HashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            while (true) {
                reapAll(status, exited);
                if (current == first.pid() && !first.isAlive()) {
                    // the JDK's own reaper may have collected it first
                    exited.putIfAbsent(current, first.exitValue());
                }
                Integer code = exited.get(current);
                if (code != null) {
                    Optional<Long> next = serving().filter(pid -> pid != current && !exited.containsKey(pid));
                    if (next.isEmpty()) {
                        System.err.println("graceful: pid " + current + " exited with " + code
                                                   + "; the supervisor exits with it");
                        deleteServingFile();
                        return code;
                    }
                    System.err.println("graceful: pid " + current + " exited with " + code + " after handing over"
                                               + " to pid " + next.get() + "; supervising it");
                    current = next.get();
                    int stop = stopSignal;
                    if (stop != 0 && stopped.add(current)) {
                        // the stop reached the one winding down, in the instant before its successor said it serves
                        send(current, stop);
                    }
                }
                Thread.sleep(TICK_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.NOT_CLEAN.code();
        }
    }

    private void deleteServingFile() {
        try {
            Files.deleteIfExists(servingFile);
        } catch (IOException e) {
            // a stale file in tmp is harmless
        }
    }

    private static void reapAll(MemorySegment status, Map<Long, Integer> exited) {
        while (true) {
            int pid;
            try {
                pid = (int) Linked.WAITPID.invokeExact(-1, status, WNOHANG);
            } catch (Throwable t) {
                return;
            }
            if (pid <= 0) {
                return;
            }
            int raw = status.get(ValueLayout.JAVA_INT, 0);
            int signal = raw & 0x7f;
            exited.put((long) pid, signal == 0 ? (raw >> 8) & 0xff : 128 + signal);
        }
    }

    /** {@code waitpid} and {@code kill}, linked once. */
    private static final class Linked {
        static final MethodHandle WAITPID = handle("waitpid", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle KILL = handle("kill", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        private Linked() {
        }

        /** glibc's {@code malloc_trim}, where there is one (not on musl). */
        static final MethodHandle MALLOC_TRIM = handle("malloc_trim", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG));

        static void trimNativeHeap() {
            if (MALLOC_TRIM != null) {
                try {
                    // returns whether memory was released; either way there is nothing more to do
                    int ignored = (int) MALLOC_TRIM.invokeExact(0L);
                } catch (Throwable t) {
                    // nothing is lost but memory
                }
            }
        }

        static Optional<String> problem() {
            return WAITPID == null || KILL == null ? Optional.of("libc has no waitpid or kill") : Optional.empty();
        }

        private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
            return LINKER.defaultLookup().find(name).map(s -> LINKER.downcallHandle(s, descriptor)).orElse(null);
        }
    }
}
