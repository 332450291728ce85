package dev.graceful.launcher;

import java.util.Objects;
import java.util.Optional;

import dev.graceful.ShutdownCoordinator;
import dev.graceful.ShutdownPlan;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownReason;

import io.helidon.webserver.WebServer;

/**
 * A graceful service that serves, started by {@link GracefulServer#start()}.
 *
 * <p>{@link #stop} runs the graceful shutdown at most once: the first call runs the whole sequence under the one
 * deadline and returns its report, later calls (from any thread) wait for and return the same report. The report is
 * also written as it is when the service runs as a process (one JSON line and a table on stderr, and
 * {@code shutdown.report-file}). Nothing here exits the JVM. Thread-safe.
 */
public final class RunningServer implements AutoCloseable {

    private final Assembly assembly;
    private final PortLock portLock;

    RunningServer(Assembly assembly, PortLock portLock) {
        this.assembly = Objects.requireNonNull(assembly, "assembly");
        this.portLock = portLock;
    }

    /**
     * Returns the port the default listener is bound to.
     *
     * @return the port, or -1 once stopped
     */
    public int port() {
        return assembly.server.port();
    }

    /**
     * Returns the port a named listener is bound to.
     *
     * @param socket the listener's name
     * @return the port, or -1 when there is no such listener or once stopped
     */
    public int port(String socket) {
        return assembly.server.port(socket);
    }

    /**
     * Returns the Helidon server.
     *
     * @return the server
     */
    public WebServer webServer() {
        return assembly.server;
    }

    /**
     * Returns the resolved shutdown plan: phases, participants, budgets.
     *
     * @return the plan
     */
    public ShutdownPlan plan() {
        return assembly.coordinator.plan();
    }

    /**
     * Returns the report, once a stop has ended.
     *
     * @return the report, or empty while serving or stopping
     */
    public Optional<ShutdownReport> report() {
        return assembly.coordinator.report();
    }

    /**
     * Runs the graceful shutdown, once, and returns its report; see the type's description.
     *
     * @param reason why the service stops
     * @return the report
     */
    public ShutdownReport stop(ShutdownReason reason) {
        return stop(reason, ShutdownCoordinator.PhaseListener.NONE);
    }

    /** Stops as {@link #stop(ShutdownReason)} does, telling the listener as each phase starts. */
    ShutdownReport stop(ShutdownReason reason, ShutdownCoordinator.PhaseListener phases) {
        Objects.requireNonNull(reason, "reason");
        assembly.stopping.set(true);
        try {
            ShutdownReport report = assembly.coordinator.run(reason, phases);
            assembly.output.publish(report);
            return report;
        } finally {
            Observability.unregister(assembly.gauges);
            if (portLock != null) {
                portLock.release();
            }
        }
    }

    /**
     * Stops with {@link ShutdownReason#REQUESTED}, as {@link #stop} does.
     */
    @Override
    public void close() {
        stop(ShutdownReason.REQUESTED);
    }

    /** Starts a stop: returns {@code true} only for the first caller. */
    boolean beginStop() {
        return assembly.stopping.compareAndSet(false, true);
    }

    /** Stops waiting for the running shutdown at once: a second signal. */
    void force() {
        assembly.coordinator.force();
    }

    Assembly assembly() {
        return assembly;
    }

    PortLock portLock() {
        return portLock;
    }
}
