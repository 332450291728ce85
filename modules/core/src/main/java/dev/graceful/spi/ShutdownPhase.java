package dev.graceful.spi;

/**
 * The fixed phases of a shutdown, declared in the order they run.
 *
 * <p>Every participant of one phase has ended (completed, failed, timed out or been abandoned)
 * before any participant of the next phase starts.
 */
public enum ShutdownPhase {
    /** Readiness turns off while the server keeps serving; register here to deregister from discovery. */
    READINESS,
    /** Listening sockets close so new connections are refused; idle connections are closed. */
    STOP_ACCEPTING,
    /** Requests already accepted run to completion, bounded by the drain timeout and the deadline. */
    DRAIN,
    /** Resources are released: flush buffers, then close pools and clients; the default phase for plugins. */
    RELEASE
}
