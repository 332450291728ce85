package dev.graceful.launcher;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Ends the process once the shutdown sequence has run and its report is written.
 *
 * <p>{@code System.exit} (and {@code Runtime.halt}) make HotSpot wait up to 300 ms for threads that are inside native
 * code to block (VM_Exit::wait_for_threads_in_native_to_block); the JDK's own I/O poller thread sits in
 * {@code epoll_wait} for good, so every exit paid that wait. At this point nothing is left to do: the coordinator
 * has closed the server, flushed and closed the pools, and the report is on stderr. So on Java 22+ this calls
 * libc's {@code _exit} through the Foreign Function API, which ends the process at once with the exit code. On
 * Java 21 (where that API is a preview), when the symbol is missing, with {@code -Dgraceful.exit=system}, or in a run
 * that records a class cache (which the JVM writes as it exits), it uses {@code System.exit}; likewise, saying so
 * once in the log, when native access is not enabled for the class path (the jar manifest's
 * {@code Enable-Native-Access: ALL-UNNAMED}), since linking would make the JVM print a warning.
 * The API is reached reflectively because the code is compiled for Java 21.
 */
final class ProcessExit {

    /** System property that forces {@code System.exit}. */
    static final String MODE_PROPERTY = "graceful.exit";

    /** How long {@code System.exit} may take before the process is halted. */
    static final long WATCHDOG_MILLIS = 5_000;

    /**
     * Whether this JVM records a class cache (the JDK's AOT cache, or an AppCDS archive) that it writes as it exits:
     * it must then end through {@code System.exit}, or the cache is never written. {@code _exit} is still linked, so
     * that the cache holds what linking it needs.
     */
    private static final boolean RECORDS_CLASS_CACHE = recordsClassCacheAtExit();

    private ProcessExit() {
    }

    /**
     * Links {@code _exit} and the call site that calls it, off the service's threads: the first link costs tens of
     * milliseconds to a second of class generation (less with a class cache), which must not be paid at exit.
     */
    static void prepare() {
        if (Linked.EXIT == null) {
            System.getLogger(ProcessExit.class.getName())
                    .log(System.Logger.Level.DEBUG, "fast exit unavailable; exits use System.exit");
            return;
        }
        try {
            // the call site, through a handle of the same type that does nothing
            call(MethodHandles.empty(MethodType.methodType(void.class, int.class)), 0);
        } catch (Throwable t) {
            // only a rehearsal: the exit links it then
        }
    }

    /**
     * Flushes stdout and stderr and ends the process with the code; does not return. With {@code _exit} the process
     * ends at once. With {@code System.exit}, a watchdog halts it after {@link #WATCHDOG_MILLIS}, so that a stuck
     * non-daemon thread or another library's shutdown hook cannot keep it past the deadline. The flushes come before
     * the watchdog: what the process prints at its end (the report) has already been written to stderr and flushed,
     * so a stalled reader of a full pipe would have held the process there, before this is called.
     */
    static void exit(int code) {
        System.out.flush();
        System.err.flush();
        MethodHandle exit = Linked.EXIT;
        if (exit != null && !RECORDS_CLASS_CACHE) {
            try {
                call(exit, code);
            } catch (Throwable t) {
                System.err.println("graceful: _exit failed (" + t + "); using System.exit");
            }
        }
        try {
            Thread.ofPlatform().daemon(true).name("graceful-exit-watchdog").start(() -> {
                try {
                    Thread.sleep(WATCHDOG_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                Runtime.getRuntime().halt(code);
            });
        } catch (Throwable noThread) {
            // no thread to be had: exit without the watchdog
        }
        System.exit(code);
    }

    /** Calls an {@code (int)void} handle. Exact: invokeWithArguments would build its adapters at exit. */
    private static void call(MethodHandle handle, int code) throws Throwable {
        handle.invokeExact(code);
    }

    /**
     * Returns whether this JVM records a class cache at exit ({@code -XX:AOTCacheOutput}, {@code -XX:AOTMode=record},
     * {@code -XX:ArchiveClassesAtExit}): a training run, which should go through every path a start takes.
     *
     * @return {@code true} in a training run
     */
    static boolean recordsClassCache() {
        return RECORDS_CLASS_CACHE;
    }

    /**
     * Reads the JVM's options from its command line and from the environment variables the JVM and its launcher
     * read ({@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS}); an option in an {@code @argfile} is not seen.
     */
    private static boolean recordsClassCacheAtExit() {
        Stream<String> options = Stream.concat(
                ProcessHandle.current().info().arguments().stream().flatMap(Arrays::stream),
                Stream.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS").map(System::getenv)
                        .filter(Objects::nonNull).flatMap(v -> Arrays.stream(v.split("\\s+"))));
        return options.anyMatch(a -> a.startsWith("-XX:AOTCacheOutput=") || a.equals("-XX:AOTMode=record")
                || a.startsWith("-XX:ArchiveClassesAtExit=") || a.equals("-XX:+AutoCreateSharedArchive"));
    }

    /** {@code _exit}, linked when first needed: by {@link #prepare()} once serving, or at exit. */
    private static final class Linked {
        static final MethodHandle EXIT = lookupExit();

        private Linked() {
        }
    }

    private static MethodHandle lookupExit() {
        if (Runtime.version().feature() < 22 || "system".equals(System.getProperty(MODE_PROPERTY))) {
            return null;
        }
        try {
            Module module = ProcessExit.class.getModule();
            if (!(boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(module)) {
                // Linking anyway would work, with a JVM warning on stderr that the service did not ask for.
                System.getLogger(ProcessExit.class.getName()).log(System.Logger.Level.INFO,
                        "graceful: fast exit needs native access (jar manifest 'Enable-Native-Access: ALL-UNNAMED', "
                                + "or --enable-native-access=ALL-UNNAMED); exits use System.exit, up to 300 ms slower");
                return null;
            }
            Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
            Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerType.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
            Optional<?> symbol = (Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, "_exit");
            if (symbol.isEmpty()) {
                return null;
            }
            Object args = Array.newInstance(layoutType, 1);
            Array.set(args, 0, Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_INT").get(null));
            Object descriptor = descriptorType.getMethod("ofVoid", args.getClass()).invoke(null, args);
            Object options = Array.newInstance(optionType, 0);
            return (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType, options.getClass())
                    .invoke(linker, symbol.get(), descriptor, options);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("graceful: fast exit unavailable (" + e + "); exits use System.exit");
            return null;
        }
    }
}
