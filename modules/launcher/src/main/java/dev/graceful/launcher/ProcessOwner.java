package dev.graceful.launcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.Durations;
import dev.graceful.ShutdownCoordinator;
import dev.graceful.ShutdownRendering;
import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownReason;

import io.helidon.common.Weighted;
import io.helidon.logging.common.LogConfig;
import io.helidon.spi.HelidonShutdownHandler;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Runs a {@link GracefulServer} as the process ({@link GracefulServer#run}): starts it, handles SIGTERM and SIGINT
 * (a graceful stop; a second one forces it), SIGHUP (a zero-downtime {@link Restart}) and any other JVM exit (the
 * same single sequence), publishes the report and exits with its code.
 */
final class ProcessOwner {

    private static final int SIGHUP = 1;
    private static final int SIGINT = 2;
    private static final int SIGTERM = 15;

    private final GracefulServer spec;
    private RunningServer running;
    private Restart restart;
    /** Set once this process, as PID 1, has handed over and stays to supervise the new process. */
    private Supervisor supervisor;
    private final ServiceManager manager = ServiceManager.fromEnvironment();

    ProcessOwner(GracefulServer spec) {
        this.spec = spec;
    }

    /** Starts the service and returns only if it is serving and this thread is to wait; otherwise exits. */
    void run(String... args) {
        // First: Helidon's service registry takes longer to build than the logging and the configuration before it
        Observability.WarmUp warmUp = Observability.warmUp();
        LogConfig.configureRuntime();
        int code = start(args, warmUp);
        if (code >= 0) {
            System.out.flush();
            System.err.flush();
            System.exit(code);
        }
        // Helidon's listener is the only non-daemon thread; once it closes, the JVM would start exiting by itself
        // in the middle of the drain. The process ends through System.exit after the report instead.
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns an exit code, or -1 when the server is up and serving. */
    private int start(String[] args, Observability.WarmUp warmUp) {
        CommandLine commandLine;
        try {
            commandLine = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("graceful: " + e.getMessage());
            return ExitCode.USAGE.code();
        }
        if (commandLine.help()) {
            System.out.println(CommandLine.USAGE);
            return ExitCode.CLEAN.code();
        }
        if (Restart.isCopy()) {
            // while the server is being built: the steering this copy does just before it says it is ready runs warm
            Thread.ofPlatform().daemon(true).name("graceful-steering-link").start(ReuseportSteering::link);
        }
        Assembly assembly;
        try {
            assembly = Assembly.assemble(spec, commandLine.configFile(), warmUp);
            if (commandLine.printPlan().isPresent()) {
                System.out.print(commandLine.printPlan().get().equals("json")
                                         ? ShutdownRendering.json(assembly.coordinator.plan()) + "\n"
                                         : ShutdownRendering.table(assembly.coordinator.plan()));
                return ExitCode.CLEAN.code();
            }
            running = assembly.start();
        } catch (StartupException e) {
            System.err.println("graceful: " + e.getMessage());
            return e.exitCode().code();
        }
        // Read now: a stop signal may stop the server before the line is printed, and a stopped server has no port.
        String serving = "serving on http://" + assembly.server.prototype().host() + ":" + running.port();
        RestartConfig restartConfig = assembly.restartConfig;
        io.helidon.Main.addShutdownHandler(new ExitHook());
        restart = new Restart(restartConfig, running.portLock(), this::handOver, manager);
        handleSignals();
        if (Restart.isCopy()) {
            steerNewConnections();
        } else if (ProcessExit.recordsClassCache()) {
            linkForTheCache();
        }
        boolean tookOver = Restart.announceReady();
        Restart.writePidFile(restartConfig.pidFile());
        if (tookOver) {
            Restart.writeServingFile();
        }
        System.err.println("graceful: " + serving + " (pid " + ProcessHandle.current().pid() + ", shutdown deadline "
                + Durations.format(assembly.shutdownConfig.deadline()) + ")");
        if (tookOver) {
            manager.tookOver(serving);
        } else {
            manager.ready(serving);
        }
        warmExitPath(assembly);
        return -1;
    }

    /**
     * In a training run, which records the class cache: what a restarted copy, or a service under systemd, links
     * before it is ready goes into the cache too, and what a start on a fixed port does to lock it (a run on port 0
     * holds no lock; one on a fixed port, with the JVM's own archive option, keeps its own).
     */
    private void linkForTheCache() {
        ReuseportSteering.link();
        NotifySocket.link();
        if (running.portLock() == null) {
            PortLock.rehearse(running.port());
        }
    }

    /**
     * Only once serving: rehearses the coordinator's run with stand-ins, links {@code _exit} and renders a report
     * that is thrown away, so the path from the stop signal to the exit is not run cold. It takes CPU that the
     * start-up itself should have.
     */
    private static void warmExitPath(Assembly assembly) {
        Thread.ofVirtual().name("graceful-exit-warm-up").start(() -> {
            try {
                assembly.coordinator.rehearse();
                ProcessExit.prepare();
                assembly.output.rehearse(assembly.coordinator.plan());
            } catch (RuntimeException | LinkageError e) {
                // only a rehearsal: the exit, and the real report, run all the same
                System.getLogger(ProcessOwner.class.getName())
                        .log(System.Logger.Level.DEBUG, "Warming the exit path failed", e);
            }
        });
    }

    /**
     * In a restarted copy, before it says it is ready: steers the new connections of its ports to itself, so that
     * the old process's listener closes with nothing queued on it; says once which hand-over is in use.
     */
    private void steerNewConnections() {
        List<Integer> ports = new ArrayList<>();
        ports.add(running.port());
        running.webServer().prototype().sockets().keySet().forEach(name -> ports.add(running.port(name)));
        String why = ReuseportSteering.steer(ports);
        if (why == null) {
            System.err.println("graceful: restart hand-over: new connections steered to this process "
                    + "(SO_ATTACH_REUSEPORT_CBPF); nothing queued on the old listener is lost");
        } else {
            System.err.println("graceful: restart hand-over by the kernel's SO_REUSEPORT hash (" + why + "); "
                    + "connections queued on the old listener when it closes are reset unless "
                    + "net.ipv4.tcp_migrate_req=1");
        }
    }

    /**
     * Returns this process's supervisor once it is PID 1 and has handed over (from the GO on: a stop signal is then
     * the new process's, also while this one winds down); {@code null} otherwise.
     */
    private synchronized Supervisor supervisor() {
        if (supervisor == null && ProcessHandle.current().pid() == 1) {
            restart.handedOver().ifPresent(copy -> supervisor = new Supervisor(copy, restart.servingFile()));
        }
        return supervisor;
    }

    private void handleSignals() {
        handle("TERM", sig -> onStopSignal("TERM", ShutdownReason.SIGTERM));
        handle("INT", sig -> onStopSignal("INT", ShutdownReason.SIGINT));
        handle("HUP", sig -> {
            Supervisor s = supervisor();
            if (s != null) {
                s.forward(SIGHUP);
            } else {
                restart.request();
            }
        });
    }

    private static void handle(String signal, SignalHandler handler) {
        try {
            SignalHandler previous = Signal.handle(new Signal(signal), handler);
            if (previous == SignalHandler.SIG_IGN) {
                // A signal ignored at JVM start (nohup, "cmd &" from a script) stays ignored.
                System.err.println("graceful: SIG" + signal + " was ignored when the JVM started; it stays ignored");
                Signal.handle(new Signal(signal), SignalHandler.SIG_IGN);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("graceful: cannot handle SIG" + signal + " (-Xrs?): " + e.getMessage());
        }
    }

    private void onStopSignal(String signal, ShutdownReason reason) {
        Supervisor s = supervisor();
        if (s != null) {
            // the service is the new process now: the stop is its to make
            s.forward(reason == ShutdownReason.SIGINT ? SIGINT : SIGTERM);
            return;
        }
        if (!running.beginStop()) {
            System.err.println("graceful: second SIG" + signal + ": forcing the shutdown");
            running.force();
            return;
        }
        String deadline = Durations.format(running.assembly().shutdownConfig.deadline());
        System.err.println("graceful: SIG" + signal + " received: stopping gracefully within " + deadline);
        manager.stopping("stopping (" + reason + ") within " + deadline);
        Optional<Process> copy = restart.abandonForStop();
        ShutdownReport report = stop(reason, (phase, left) -> manager.status(
                "stopping (" + reason + "): phase " + phase + ", " + Durations.format(left) + " left"));
        manager.status("stopped (" + reason + "): " + (report.isClean() ? "clean" : "not clean") + ", exit code "
                               + ExitCode.of(report).code());
        // The copy of an abandoned restart stops with this process, not after it: nobody asked for it to stay.
        copy.ifPresent(c -> awaitExit(c, running.assembly().shutdownConfig.deadline()));
        exit(ExitCode.of(report).code());
    }

    private static void awaitExit(Process copy, Duration bound) {
        try {
            if (!copy.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("graceful: the abandoned new process pid " + copy.pid() + " did not stop within "
                        + Durations.format(bound) + "; killing it");
                copy.destroyForcibly();
            }
        } catch (InterruptedException e) {
            copy.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the graceful stop for a restart whose new process is ready; the first stop wins. As PID 1 of its PID
     * namespace, this process then stays as the new one's {@link Supervisor} instead of exiting.
     */
    private void handOver() {
        if (!running.beginStop()) {
            return;
        }
        Supervisor s = supervisor();
        if (s == null) {
            stopAndExit(ShutdownReason.RESTART);
            return;
        }
        ShutdownReport report = stop(ShutdownReason.RESTART, ShutdownCoordinator.PhaseListener.NONE);
        System.err.println("graceful: handed over (" + (report.isClean() ? "clean" : "not clean") + "); as PID 1 this "
                + "process stays as the supervisor of pid " + restart.handedOver().map(Process::pid).orElse(-1L)
                + ": it forwards SIGTERM, SIGINT and SIGHUP to the serving process, reaps children, and exits with "
                + "the service's exit code");
        exit(s.run());
    }

    private void stopAndExit(ShutdownReason reason) {
        exit(ExitCode.of(stop(reason, ShutdownCoordinator.PhaseListener.NONE)).code());
    }

    /** The graceful stop, then the pid file is no longer this process's. */
    private ShutdownReport stop(ShutdownReason reason, ShutdownCoordinator.PhaseListener phases) {
        ShutdownReport report = running.stop(reason, phases);
        Restart.removePidFile(running.assembly().restartConfig.pidFile());
        return report;
    }

    private static void exit(int code) {
        ProcessExit.exit(code);
    }

    /** Runs the same single sequence when the JVM exits for any other reason, before Helidon's own handlers. */
    private final class ExitHook implements HelidonShutdownHandler, Weighted {
        @Override
        public void shutdown() {
            running.beginStop();
            running.stop(ShutdownReason.JVM_EXIT);
            Restart.removePidFile(running.assembly().restartConfig.pidFile());
        }

        @Override
        public double weight() {
            return 1000;
        }
    }
}
