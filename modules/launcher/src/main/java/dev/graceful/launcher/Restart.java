package dev.graceful.launcher;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.graceful.Durations;

/**
 * Zero-downtime restart. On {@link #request()} (SIGHUP) this process starts a copy of itself with the same command
 * line, which re-reads the configuration and binds the same port (SO_REUSEPORT). The copy reports ready over a Unix
 * domain socket once it serves; only then does this process run its graceful stop. If the copy exits or is not
 * ready within {@code restart.timeout}, it is killed, the reason is logged, and this process keeps serving.
 * One restart runs at a time.
 */
final class Restart {

    /** Environment variable naming the hand-shake socket, set for the copy. */
    static final String SOCKET_ENV = "GRACEFUL_RESTART_SOCKET";
    /**
     * Environment variable naming the file where a copy that has taken over writes its pid: set by PID 1 for its
     * copies (and inherited by theirs), so that the {@link Supervisor} knows which process serves.
     */
    static final String SERVING_FILE_ENV = "GRACEFUL_SERVING_FILE";

    private final RestartConfig config;
    private final PortLock portLock;
    private final Runnable handOver;
    private final ServiceManager manager;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Object lock = new Object();
    /** The copy started and not yet handed over to; guarded by {@link #lock}. */
    private Process pending;
    /** The copy handed over to; guarded by {@link #lock}. */
    private Process handedOver;
    /** Where this process's copies, as PID 1's, say which of them serves. */
    private final Path servingFile = Optional.ofNullable(System.getenv(SERVING_FILE_ENV)).map(Path::of)
            .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"),
                                     "graceful-serving-" + ProcessHandle.current().pid() + "-" + System.nanoTime()
                                             + ".pid"));
    /** A stop came first; guarded by {@link #lock}. */
    private boolean stopping;

    /**
     * Creates the restart of this process.
     *
     * @param config   the restart settings
     * @param portLock this process's port lock; its token lets the copy through
     * @param handOver runs this process's graceful stop once the copy is ready; does not return
     * @param manager  the service manager told of the restart
     */
    Restart(RestartConfig config, PortLock portLock, Runnable handOver, ServiceManager manager) {
        this.config = Objects.requireNonNull(config, "config");
        this.portLock = portLock;
        this.handOver = Objects.requireNonNull(handOver, "handOver");
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    /** Starts a restart on a thread of its own, unless one is running already. */
    void request() {
        if (ProcessHandle.current().pid() == 1) {
            // As PID 1 of a PID namespace (a container), this process's exit would end the namespace and kill the copy.
            Optional<String> cannotSupervise = Supervisor.unavailable();
            if (cannotSupervise.isPresent()) {
                System.err.println("graceful: SIGHUP ignored: this process is PID 1 (the init of a container) and "
                        + "cannot stay as the supervisor of a new process (" + cannotSupervise.get() + "); when it "
                        + "exited after the hand-over, the kernel would end the container and the new process with "
                        + "it. Use a rolling update, or run under an init that stays (docker run --init, tini)");
                return;
            }
        }
        if (portLock != null && !portLock.isHeld()) {
            System.err.println("graceful: SIGHUP ignored: this process is still taking over from its predecessor");
            return;
        }
        if (!running.compareAndSet(false, true)) {
            System.err.println("graceful: SIGHUP ignored: a restart is already in progress");
            return;
        }
        Thread.ofPlatform().name("graceful-restart").start(this::restart);
    }

    private void restart() {
        long pid = ProcessHandle.current().pid();
        Path socketPath = Path.of(System.getProperty("java.io.tmpdir"),
                                  "graceful-restart-" + pid + "-" + System.nanoTime() + ".sock");
        Process copy = null;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socketPath));
            ProcessBuilder pb = copyOf(socketPath);
            System.err.println("graceful: SIGHUP received: starting a new process to take over (ready within "
                    + Durations.format(config.timeout()) + ")");
            manager.reloading();
            synchronized (lock) {
                if (stopping) {
                    return;
                }
                copy = pb.start();
                pending = copy;
            }
            Process started = copy;
            CompletableFuture<SocketChannel> ready = CompletableFuture.supplyAsync(() -> awaitReady(server),
                    r -> Thread.ofVirtual().start(r));
            started.onExit().thenRun(() -> ready.completeExceptionally(
                    new IllegalStateException("the new process exited with code " + started.exitValue()
                                                      + " before it was ready")));
            try (SocketChannel channel = ready.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                synchronized (lock) {
                    if (stopping) {
                        // abandonForStop() has stopped the copy: no GO, no hand-over
                        return;
                    }
                    // Set first: from the GO on, a stop signal is the copy's (see ProcessOwner), never lost between
                    handedOver = copy;
                    channel.write(ByteBuffer.wrap("GO\n".getBytes(StandardCharsets.US_ASCII)));
                    pending = null;
                }
            }
            System.err.println("graceful: new process pid " + copy.pid() + " is ready; pid " + pid + " hands over");
        } catch (TimeoutException e) {
            abandon(copy, "the new process was not ready within " + Durations.format(config.timeout()));
            return;
        } catch (ExecutionException e) {
            abandon(copy, e.getCause().getMessage());
            return;
        } catch (IOException | RuntimeException e) {
            abandon(copy, e.toString());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon(copy, "interrupted");
            return;
        } finally {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException ignored) {
                // a stale socket file in tmp is harmless
            }
        }
        handOver.run();
    }

    /**
     * Returns the new process this one has handed over to.
     *
     * @return the process, once the hand-over has begun
     */
    Optional<Process> handedOver() {
        synchronized (lock) {
            return Optional.ofNullable(handedOver);
        }
    }

    /**
     * Returns the file where the copies of this process, as PID 1's, write the pid of the one that serves.
     *
     * @return the file's path
     */
    Path servingFile() {
        return servingFile;
    }

    /**
     * A stop signal came while a restart is pending: the restart is abandoned, and the copy, which may already serve
     * connections the kernel handed it, is asked to stop gracefully (SIGTERM). Once the copy has taken over, this does
     * nothing: the stop is this process's alone.
     *
     * @return the copy to wait for before this process exits, if there is one
     */
    Optional<Process> abandonForStop() {
        synchronized (lock) {
            stopping = true;
            Process copy = pending;
            pending = null;
            if (copy == null || !copy.isAlive()) {
                return Optional.empty();
            }
            System.err.println("graceful: restart abandoned: a stop was requested; stopping the new process pid "
                    + copy.pid());
            copy.destroy();
            return Optional.of(copy);
        }
    }

    /** The copy: this process's own command line, told where to say it is ready and let through the port lock. */
    private ProcessBuilder copyOf(Path socketPath) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(commandLine()).inheritIO();
        pb.environment().put(SOCKET_ENV, socketPath.toString());
        if (ProcessHandle.current().pid() == 1) {
            pb.environment().put(SERVING_FILE_ENV, servingFile.toString());
        }
        if (portLock != null) {
            pb.environment().put(PortLock.TOKEN_ENV, portLock.token());
        }
        return pb;
    }

    private void abandon(Process copy, String why) {
        synchronized (lock) {
            if (stopping) {
                // abandonForStop() has already stopped the copy and said why
                return;
            }
            pending = null;
            handedOver = null;
        }
        if (copy != null && copy.isAlive()) {
            copy.destroyForcibly();
            try {
                copy.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        System.err.println("graceful: restart abandoned: " + why + "; pid " + ProcessHandle.current().pid()
                + " keeps serving");
        manager.restartAbandoned(why);
        running.set(false);
    }

    private static SocketChannel awaitReady(ServerSocketChannel server) {
        try {
            SocketChannel channel = server.accept();
            String line = readLine(channel);
            if (!line.startsWith("READY")) {
                channel.close();
                throw new IllegalStateException("unexpected hand-shake message '" + line + "'");
            }
            return channel;
        } catch (IOException e) {
            throw new IllegalStateException("hand-shake failed: " + e, e);
        }
    }

    /** Whether this process is a copy started by a restart, which takes over from the process that started it. */
    static boolean isCopy() {
        String socket = System.getenv(SOCKET_ENV);
        return socket != null && !socket.isBlank();
    }

    /**
     * In a copy started by {@link #request()}: tells the old process this one is ready and waits for its answer.
     * Does nothing in a process started by hand.
     *
     * @return whether this process is such a copy
     */
    static boolean announceReady() {
        String socket = System.getenv(SOCKET_ENV);
        if (socket == null || socket.isBlank()) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(("READY " + ProcessHandle.current().pid() + "\n")
                                                  .getBytes(StandardCharsets.US_ASCII)));
            String answer = readLine(channel);
            if (!answer.equals("GO")) {
                System.err.println("graceful: the old process answered '" + answer + "' to the hand-over");
            }
        } catch (IOException e) {
            System.err.println("graceful: could not reach the old process at " + socket + ": " + e
                    + "; serving anyway");
        }
        return true;
    }

    /** A copy that has taken over says so to PID 1's {@link Supervisor}, if it has one. */
    static void writeServingFile() {
        String file = System.getenv(SERVING_FILE_ENV);
        if (file != null && !file.isBlank()) {
            writePidFile(Optional.of(Path.of(file)));
        }
    }

    /** Writes this process's pid to the pid file, atomically. */
    static void writePidFile(Optional<Path> pidFile) {
        pidFile.ifPresent(path -> {
            try {
                Path dir = path.toAbsolutePath().getParent();
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, ".pid", ".tmp");
                Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                System.err.println("graceful: could not write the pid file " + path + ": " + e);
            }
        });
    }

    /** Removes the pid file if it still names this process (after a hand-over it names the new one). */
    static void removePidFile(Optional<Path> pidFile) {
        pidFile.ifPresent(path -> {
            try {
                if (Files.isRegularFile(path)
                        && Files.readString(path).strip().equals(Long.toString(ProcessHandle.current().pid()))) {
                    Files.delete(path);
                }
            } catch (IOException e) {
                System.err.println("graceful: could not remove the pid file " + path + ": " + e);
            }
        });
    }

    /** The exact command line of this process: from /proc, else from the JVM's own view. */
    static List<String> commandLine() throws IOException {
        Path proc = Path.of("/proc/self/cmdline");
        if (Files.isReadable(proc)) {
            String raw = new String(Files.readAllBytes(proc), StandardCharsets.UTF_8);
            List<String> args = new ArrayList<>(Arrays.asList(raw.split("\0", -1)));
            if (!args.isEmpty() && args.getLast().isEmpty()) {
                args.removeLast();
            }
            return args;
        }
        ProcessHandle.Info info = ProcessHandle.current().info();
        List<String> args = new ArrayList<>();
        args.add(info.command().orElseThrow(() -> new IOException("cannot tell this process's command")));
        info.arguments().ifPresent(a -> args.addAll(Arrays.asList(a)));
        return args;
    }

    private static String readLine(SocketChannel channel) throws IOException {
        StringBuilder b = new StringBuilder();
        var in = Channels.newInputStream(channel);
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            b.append((char) c);
        }
        return b.toString();
    }
}
