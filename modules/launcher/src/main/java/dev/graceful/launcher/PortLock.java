package dev.graceful.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Properties;

/**
 * One serving process per port. The listener uses SO_REUSEPORT so that a restarting copy can bind the port while
 * the old process still serves; without a guard, a second instance started by hand would then share the port
 * silently. This lock refuses it: the serving process holds an exclusive lock on a per-port file (released by the
 * OS even on {@code kill -9}), and only a copy that it started, carrying the token written in that file, is let
 * through; the copy takes the lock over once the old process has exited.
 */
final class PortLock {

    /** Environment variable carrying the token from a restarting process to its copy. */
    static final String TOKEN_ENV = "GRACEFUL_RESTART_TOKEN";

    private final Path file;
    private final FileChannel channel;
    private volatile FileLock lock;
    private volatile String token;

    private PortLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** The lock file of a port. */
    static Path fileFor(int port) {
        return Path.of(System.getProperty("java.io.tmpdir"), "graceful-port-" + port + ".lock");
    }

    /**
     * Takes the port's lock, or, for a copy started by the holder, waits for it in the background.
     *
     * @param port          the port to serve
     * @param restartToken  the token handed down by the process that started this one, if any
     * @throws PortInUseException naming the port and the process that serves it
     */
    static PortLock acquire(int port, Optional<String> restartToken) throws IOException, PortInUseException {
        Path file = fileFor(port);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                                               StandardOpenOption.WRITE);
        PortLock portLock = new PortLock(file, channel);
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                portLock.hold(lock);
                return portLock;
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        Properties holder;
        try {
            holder = portLock.read();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        String holderToken = holder.getProperty("token", "");
        if (restartToken.isPresent() && !holderToken.isEmpty() && holderToken.equals(restartToken.get())) {
            Thread.ofPlatform().daemon(true).name("graceful-port-lock").start(portLock::takeOver);
            return portLock;
        }
        channel.close();
        throw new PortInUseException("port " + port + " is already in use: served by pid "
                                             + holder.getProperty("pid", "?") + " (lock file " + file + ")");
    }

    /**
     * For a training run, which starts on a free port (port 0) and so takes no lock: takes the lock of the port it
     * was given, removes its file while still holding it, and gives it up, so that the class cache holds what
     * taking a lock loads and links (this class, the file lock's classes, the token's random source), which a start
     * on a fixed port does on its critical path. Only for a process that holds no lock on that port: closing a
     * second channel on a file whose lock this process holds would release that lock.
     *
     * @param port the port the training run serves
     */
    static void rehearse(int port) {
        PortLock rehearsal;
        try {
            rehearsal = acquire(port, Optional.empty());
        } catch (IOException | PortInUseException | OverlappingFileLockException e) {
            // only a rehearsal: whoever holds the port's lock keeps it and its file
            return;
        }
        try {
            Files.deleteIfExists(rehearsal.file);
        } catch (IOException e) {
            // the file stays, as every start's does
        } finally {
            rehearsal.release();
        }
    }

    /** Whether this process holds the lock (a restarted copy does only once its predecessor has exited). */
    boolean isHeld() {
        return lock != null;
    }

    /** The token a copy of this process must present. */
    String token() {
        return token;
    }

    /** Gives the port up: for a service stopped in a JVM that goes on. Waiting for a takeover ends too. */
    void release() {
        try {
            channel.close();
        } catch (IOException e) {
            System.err.println("graceful: could not release the port lock " + file + ": " + e);
        }
    }

    private void takeOver() {
        try {
            hold(channel.lock());
        } catch (IOException e) {
            System.err.println("graceful: could not take over the port lock " + file + ": " + e);
        }
    }

    private synchronized void hold(FileLock lock) throws IOException {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String newToken = HexFormat.of().formatHex(random);
        String content = "pid=" + ProcessHandle.current().pid() + "\ntoken=" + newToken + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(true);
        this.token = newToken;
        this.lock = lock;
    }

    private Properties read() throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4096);
        channel.read(buf, 0);
        Properties p = new Properties();
        p.load(new java.io.StringReader(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)));
        return p;
    }

    /** Another process serves the port. */
    static final class PortInUseException extends Exception {
        PortInUseException(String message) {
            super(message);
        }
    }
}
