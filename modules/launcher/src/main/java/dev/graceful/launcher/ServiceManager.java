package dev.graceful.launcher;

import java.util.Optional;

/**
 * Tells a service manager (systemd) what the process does, with the notify protocol, when it is started with
 * {@code NOTIFY_SOCKET} set: {@code READY=1} once it serves; {@code RELOADING=1} with {@code MONOTONIC_USEC} when a
 * restart begins, and {@code READY=1} again if it is abandoned; from the restarted copy, once it has taken over,
 * {@code MAINPID} and {@code READY=1}; {@code STOPPING=1} when a stop begins, then a {@code STATUS=} line as each
 * phase starts and one when it has ended; a {@code STATUS=} line with each. The old process of a restart says nothing
 * once its copy has taken over: the copy is then the main process, and its status is the service's.
 * Without {@code NOTIFY_SOCKET} every method does nothing. Messages are sent on the caller's thread.
 */
final class ServiceManager {

    /** The environment variable that names the manager's socket. */
    static final String SOCKET_ENV = "NOTIFY_SOCKET";

    private final Optional<String> socket;

    private ServiceManager(Optional<String> socket) {
        this.socket = socket;
    }

    static ServiceManager fromEnvironment() {
        return new ServiceManager(Optional.ofNullable(System.getenv(SOCKET_ENV)).filter(s -> !s.isBlank()));
    }

    /** The service serves. */
    void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    /** A restart begins: a copy is being started. */
    void reloading() {
        // CLOCK_MONOTONIC, which System.nanoTime() reads on Linux
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1_000 + "\nSTATUS=restarting: starting a new process");
    }

    /** The restart was abandoned; this process goes on serving. */
    void restartAbandoned(String why) {
        send("READY=1\nSTATUS=restart abandoned: " + why);
    }

    /** This process, a restarted copy, has taken over from the old one. */
    void tookOver(String status) {
        send("MAINPID=" + ProcessHandle.current().pid() + "\nREADY=1\nSTATUS=" + status);
    }

    /** A stop begins. */
    void stopping(String status) {
        send("STOPPING=1\nSTATUS=" + status);
    }

    /** Only a status line. */
    void status(String status) {
        send("STATUS=" + status);
    }

    private void send(String message) {
        socket.ifPresent(s -> NotifySocket.send(s, message));
    }
}
