package dev.graceful.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.graceful.launcher.ExitCode;
import dev.graceful.process.Poll;
import dev.graceful.process.ServiceProcess;
import dev.graceful.process.SteadyLoad;
import dev.graceful.wire.RawHttpConnection;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * End to end: SIGHUP hands over to a new process with no failed request, only once the new one is ready; a copy
 * that cannot start changes nothing; one restart at a time; the port stays exclusive to the family.
 */
class RestartIT {

    @TempDir
    Path dir;

    private static String yaml(int port, String greeting) {
        return "server:\n  port: " + port + "\n  host: 127.0.0.1\napp:\n  greeting: \"" + greeting + "\"\n"
                + "restart:\n  timeout: 30s\n  pid-file: run/graceful.pid\n";
    }

    @Test
    void sighupUnderLoadHandsOverWithNoFailedRequestAndSwitchesToTheNewConfig() throws Exception {
        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start(dir, yaml(port, "v1"));
                SteadyLoad load = new SteadyLoad(port).start(4, 2, 2)) {
            load.awaitMore(300);
            Files.writeString(dir.resolve("app.yaml"), yaml(port, "v2"));
            long before = load.ok();
            service.signal("HUP");
            assertThat("old process exit code", service.awaitExit(Duration.ofSeconds(40)), is(0));
            long during = load.ok() - before;
            load.awaitMore(300);
            List<Long> pids = service.servingPids();
            assertThat(pids, hasSize(2));
            assertThat(pids.get(1), not(is(service.pid())));
            assertThat(Files.readString(dir.resolve("run/graceful.pid")).strip(), is(pids.get(1).toString()));
            List<String> greetings = load.greetings();
            System.out.printf("restart under load: %d requests served between SIGHUP and the old process's exit,"
                                      + " %d in all, %d failed, %d new connections reset before their first"
                                      + " response%n", during, load.ok(), load.failures().size(),
                              load.notAccepted().size());
            assertThat(load.failures(), is(empty()));
            // The new process steers new connections to itself before it says it is ready: none is queued on the
            // old listener when it closes, so none is reset (README, "Linux accept queues").
            assertThat(load.notAccepted(), is(empty()));
            assertThat(greetings.getFirst(), is("v1"));
            assertThat(greetings.subList(greetings.size() - 50, greetings.size()), everyItem(is("v2")));
            assertThat(service.output(), containsString("graceful shutdown (RESTART) clean"));
        }
    }

    @Test
    void eventsAcknowledgedBeforeDuringAndAfterARestartAreAllStored() throws Exception {
        int port = ServiceProcess.freePort();
        EventLoad load;
        try (ServiceProcess service = ServiceProcess.start(dir, yaml(port, "v1"))) {
            load = EventLoad.start(port, 4);
            load.awaitAcknowledged(500);
            service.signal("HUP");
            load.awaitAcknowledged(200);
            assertThat(service.awaitExit(Duration.ofSeconds(40)), is(0));
            load.awaitAcknowledged(500);
            long newPid = service.servingPids().get(1);
            load.stop();
            ProcessHandle copy = ProcessHandle.of(newPid).orElseThrow();
            copy.destroy();
            copy.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            service.awaitLine("graceful shutdown (SIGTERM) clean", Duration.ofSeconds(5));
        }
        load.assertNoRequestWentUnanswered();
        load.assertEveryAcknowledgedEventIsIn(dir.resolve("data/events.db"));
    }

    @Test
    void aCopyThatCannotStartIsAbandonedAndTheOldProcessKeepsServing() throws Exception {
        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start(dir, yaml(port, "v1"));
                SteadyLoad load = new SteadyLoad(port).start(2, 0, 1)) {
            load.awaitMore(100);
            Files.writeString(dir.resolve("app.yaml"), yaml(port, "v1") + "shutdown:\n  deadline: soon\n");
            service.signal("HUP");
            service.awaitLine("graceful: restart abandoned", Duration.ofSeconds(40));
            load.awaitMore(200);
            assertThat(service.output(), containsString("shutdown.deadline='soon'"));
            assertThat(service.output(), containsString("exited with code 78"));
            assertThat(service.servingPids(), hasSize(1));
            assertThat(service.onExit().isDone(), is(false));
            assertThat(load.failures(), is(empty()));
            assertThat(load.notAccepted(), is(empty()));
            assertThat(load.greetings(), everyItem(is("v1")));
        }
    }

    @Test
    void twoSighupsInARowRestartOnce() throws Exception {
        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start(dir, yaml(port, "v1"))) {
            service.signal("HUP");
            // The second only once the first has arrived: two SIGHUPs sent while the first is still pending in the
            // kernel (a busy machine) are one signal.
            service.awaitLine("SIGHUP received: starting a new process", Duration.ofSeconds(10));
            service.signal("HUP");
            service.awaitLine("SIGHUP ignored: a restart is already in progress", Duration.ofSeconds(10));
            assertThat(service.awaitExit(Duration.ofSeconds(40)), is(0));
            service.awaitLine("graceful shutdown (RESTART) clean", Duration.ofSeconds(5));
            assertThat(service.servingPids(), hasSize(2));
            try (RawHttpConnection http = RawHttpConnection.open(port)) {
                assertThat(http.get("/").status(), is(200));
            }
        }
    }

    /**
     * This covers a bug where SIGHUP and then SIGTERM 300 ms later (a reload followed at once by a stop) left the new
     * process serving alone after the old one had exited: an orphan nobody asked for.
     */
    @Test
    void aStopDuringAPendingRestartStopsTheNewProcessToo() throws Exception {
        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start(dir, yaml(port, "v1"))) {
            service.signal("HUP");
            service.awaitLine("SIGHUP received: starting a new process", Duration.ofSeconds(10));
            Thread.sleep(300);
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(40)), is(0));
            assertThat(service.output(), containsString("restart abandoned: a stop was requested"));
            // the copy ran from the same command line: none of it may be left
            assertThat("no process of this test's service is left", awaitNoProcessWith(dir.toString()), is(true));
            assertThat("the port is free", portIsFree(port), is(true));
        }
    }

    @Test
    void theNewProcessKeepsServingWhenTheOldOneIsKilledMidHandOver() throws Exception {
        int port = ServiceProcess.freePort();
        try (ServiceProcess service = ServiceProcess.start(dir, yaml(port, "v1"))) {
            service.signal("HUP");
            service.awaitLine("is ready; pid", Duration.ofSeconds(40));
            service.signal("KILL");
            service.awaitExit(Duration.ofSeconds(10));
            List<Long> pids = service.servingPids();
            assertThat(pids, hasSize(2));
            try (RawHttpConnection http = RawHttpConnection.open(port)) {
                assertThat(http.get("/").body(), is("v1\n"));
            }
            Path other = Files.createDirectories(dir.resolve("other"));
            try (ServiceProcess second = ServiceProcess.launch(other, yaml(port, "v2"))) {
                assertThat("the copy holds the port", second.awaitExit(Duration.ofSeconds(30)),
                           is(ExitCode.STARTUP_FAILED.code()));
            }
        }
    }

    /**
     * This covers a bug where, as PID 1 of a PID namespace (a container), a SIGHUP handed over to a copy, then the old
     * process exited and the kernel ended the namespace, killing the copy: the service was gone. PID 1 now stays as
     * the copy's supervisor: it forwards signals to the service, follows it through its own restarts, and exits
     * with its exit code.
     */
    @Test
    void asPidOneOfItsNamespaceARestartKeepsTheServiceAndPidOneSupervisesIt() throws Exception {
        assumeSupervisor();
        int port = ServiceProcess.freePort();
        try (PidOne pidOne = new PidOne(port, List.of())) {
            long servingRss = rssKib(pidOne.javaPid);
            Files.writeString(pidOne.config, yaml(port, "v2"));
            pidOne.signal("HUP");
            awaitLogLine(pidOne.log, "stays as the supervisor of pid");
            assertThat(greeting(port), is("v2\n"));
            assertThat("PID 1 stays", pidOne.unshare.isAlive() && ProcessHandle.of(pidOne.javaPid).isPresent(),
                       is(true));
            // it does once its own stop is over, which the line above announces
            Poll.await(Duration.ofSeconds(10), () -> rssKib(pidOne.javaPid) < servingRss,
                       () -> "the supervisor kept what the service held: " + rssKib(pidOne.javaPid) + " KiB, serving "
                               + servingRss + " KiB");

            Files.writeString(pidOne.config, yaml(port, "v3"));
            pidOne.signal("HUP");
            awaitLogLine(pidOne.log, "supervising it");
            assertThat("the copy's own restart: its successor serves", greeting(port), is("v3\n"));

            pidOne.stopAndAssertNothingLeft();
            assertThat(read(pidOne.log), containsString("exited with 0; the supervisor exits with it"));
        }
    }

    /**
     * A stop that reaches PID 1 while the service hands over to its own successor stops the successor too: the
     * signal goes to the process that serves, and a process that takes over after it was sent still gets it.
     */
    @Test
    void asPidOneAStopDuringTheServicesOwnHandOverStopsEverything() throws Exception {
        assumeSupervisor();
        try (PidOne pidOne = new PidOne(ServiceProcess.freePort(), List.of())) {
            pidOne.signal("HUP");
            awaitLogLine(pidOne.log, "stays as the supervisor of pid");
            pidOne.signal("HUP");
            Poll.await(Duration.ofSeconds(30), () -> read(pidOne.log).split("is ready; pid", -1).length > 2,
                       () -> "the service's own successor never got ready:\n" + read(pidOne.log));

            pidOne.stopAndAssertNothingLeft();
        }
    }

    /** With supervising turned off, PID 1 refuses a SIGHUP and keeps serving, as before the supervisor. */
    @Test
    void asPidOneWithoutSupervisingASighupIsRefusedAndTheServiceKeepsServing() throws Exception {
        assumeUnsharePid();
        int port = ServiceProcess.freePort();
        try (PidOne pidOne = new PidOne(port, List.of("-Dgraceful.supervise=false"))) {
            assertThat(Files.readString(pidOne.log), containsString("(pid 1,"));
            pidOne.signal("HUP");
            awaitLogLine(pidOne.log, "SIGHUP ignored: this process is PID 1");
            assertThat(greeting(port), is("v1\n"));
            pidOne.stopAndAssertNothingLeft();
        }
    }

    private static void assumeUnsharePid() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new ProcessBuilder("unshare", "--fork", "--pid", "--mount-proc", "true").start().waitFor() == 0,
                "needs unshare --pid (root)");
    }

    private static void assumeSupervisor() throws Exception {
        assumeUnsharePid();
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 22,
                                                     "the supervisor needs Java 22 (the Foreign Function API)");
    }

    /**
     * The jar as PID 1 of a PID namespace of its own, as in a container, serving greeting v1; closing it kills
     * whatever of it is left.
     */
    private final class PidOne implements AutoCloseable {
        private final Process unshare;
        private final Path config = dir.resolve("pid1.yaml");
        private final Path log = dir.resolve("pid1.log");
        private final long javaPid;

        PidOne(int port, List<String> jvmOptions) throws Exception {
            Files.writeString(config, yaml(port, "v1"));
            List<String> command = new ArrayList<>(List.of("unshare", "--fork", "--pid", "--mount-proc",
                                                           ServiceProcess.java()));
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", ServiceProcess.jar().toString(), "--config", config.toString()));
            unshare = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                awaitLogLine(log, "serving on");
                javaPid = unshare.descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
                        .findFirst().orElseThrow().pid();
            } catch (Exception | AssertionError e) {
                close();
                throw e;
            }
        }

        void signal(String name) throws Exception {
            new ProcessBuilder("kill", "-" + name, Long.toString(javaPid)).start().waitFor();
        }

        /** SIGTERM to PID 1: the namespace must exit 0 and leave no process of it behind. */
        void stopAndAssertNothingLeft() throws Exception {
            List<ProcessHandle> namespace = unshare.descendants().toList();
            signal("TERM");
            assertThat(read(log), unshare.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), is(true));
            assertThat(read(log), unshare.exitValue(), is(0));
            assertThat("no process of the namespace is left: " + namespace,
                       namespace.stream().filter(ProcessHandle::isAlive).toList(), is(List.of()));
        }

        @Override
        public void close() {
            unshare.descendants().forEach(ProcessHandle::destroyForcibly);
            unshare.destroyForcibly();
        }
    }

    private static long rssKib(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> l.replaceAll("\\D", "")).mapToLong(Long::parseLong)
                    .findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String greeting(int port) throws Exception {
        try (RawHttpConnection http = RawHttpConnection.open(port)) {
            return http.get("/").body();
        }
    }

    private static void awaitLogLine(Path log, String text) throws Exception {
        Poll.await(Duration.ofSeconds(30), () -> Files.exists(log) && Files.readString(log).contains(text),
                   () -> "no line with '" + text + "' in:\n" + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static boolean awaitNoProcessWith(String text) throws Exception {
        return Poll.until(Duration.ofSeconds(30), () -> ProcessHandle.allProcesses()
                .noneMatch(p -> p.info().commandLine().orElse("").contains(text)));
    }

    private static boolean portIsFree(int port) {
        try (java.net.ServerSocket s = new java.net.ServerSocket(port, 50,
                                                                 java.net.InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void aSecondInstanceStartedByHandOnTheSamePortFailsWithPortInUse() throws Exception {
        int port = ServiceProcess.freePort();
        Path other = Files.createDirectories(dir.resolve("other"));
        try (ServiceProcess service = ServiceProcess.start(dir, yaml(port, "v1"));
                ServiceProcess second = ServiceProcess.launch(other, yaml(port, "v2"))) {
            assertThat(second.awaitExit(Duration.ofSeconds(30)), is(ExitCode.STARTUP_FAILED.code()));
            assertThat(second.output(), containsString("port " + port + " is already in use"));
            try (RawHttpConnection http = RawHttpConnection.open(port)) {
                assertThat(http.get("/").body(), is("v1\n"));
            }
        }
    }
}
