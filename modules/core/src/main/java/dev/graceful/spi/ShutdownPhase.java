package dev.graceful.spi;

/**
 * The fixed phases of a shutdown, declared in the order they run.
 *
 * <p>No participant of a phase starts before every participant of the phase before it has completed, failed or
 * timed out. A participant that timed out and did not return when interrupted is abandoned: it may still be running
 * on its thread while later phases run, so it must not rely on them not having started.
 *
 * <p>The built-in participants (those of {@code graceful-helidon}, and the demo's):
 * <table>
 *   <caption>Built-in participants</caption>
 *   <tr><th>phase</th><th>order</th><th>participant</th><th>what it does</th></tr>
 *   <tr><td>{@link #READINESS}</td><td>0</td><td>{@code readiness}</td>
 *       <td>readiness DOWN, then the readiness delay (ended early by the quiet period)</td></tr>
 *   <tr><td>{@link #STOP_ACCEPTING}</td><td>0</td><td>{@code listener}</td>
 *       <td>listening sockets closed, responses switched to {@code Connection: close}, idle connections closed</td></tr>
 *   <tr><td>{@link #DRAIN}</td><td>-10</td><td>{@code streams}</td>
 *       <td>SSE streams, WebSocket sessions and HTTP/2 connections told to end</td></tr>
 *   <tr><td>{@link #DRAIN}</td><td>0</td><td>{@code in-flight-requests}</td>
 *       <td>waits for the requests in flight, bounded by the drain timeout</td></tr>
 *   <tr><td>{@link #RELEASE}</td><td>0</td><td>{@code events-flush} (demo)</td>
 *       <td>stores the queued events; a minimum budget of 1 s</td></tr>
 *   <tr><td>{@link #RELEASE}</td><td>100</td><td>{@code database-pool} (demo)</td><td>closes the pool</td></tr>
 * </table>
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
