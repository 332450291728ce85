package dev.graceful.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.graceful.process.Poll;
import dev.graceful.process.ServiceProcess;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * End to end: the service tells a service manager what it does, with systemd's notify protocol, across a start, a
 * restart and a stop. The test owns the datagram socket ({@code java.nio} has none, so a small Python receiver holds
 * it) and passes it as {@code NOTIFY_SOCKET}, a path or a name in the abstract namespace.
 */
class ServiceManagerNotifyIT {

    private static final String RECEIVER = """
            import socket, sys
            name = sys.argv[1]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind("\\0" + name[1:] if name.startswith("@") else name)
            print("BOUND", flush=True)
            while True:
                print(s.recv(65536).decode().replace("\\n", "|"), flush=True)
            """;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "NOTIFY_SOCKET {0}")
    @ValueSource(strings = {"path", "abstract"})
    void startRestartAndStopAreToldInOrder(String kind) throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22, "the notify protocol needs Java 22+");
        String socket = kind.equals("path") ? dir.resolve("notify.sock").toString()
                : "@graceful-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Process receiver = new ProcessBuilder("python3", "-c", RECEIVER, socket).redirectErrorStream(true).start();
        List<String> messages = new CopyOnWriteArrayList<>();
        BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                                                                        StandardCharsets.UTF_8));
        assertThat(lines.readLine(), is("BOUND"));
        Thread.ofVirtual().start(() -> lines.lines().forEach(messages::add));
        int port = ServiceProcess.freePort();
        String yaml = "server:\n  port: " + port + "\n  host: 127.0.0.1\n";
        try (ServiceProcess service = ServiceProcess.launch(dir, yaml, Map.of("NOTIFY_SOCKET", socket))) {
            service.port();
            awaitMessages(messages, 1);
            service.signal("HUP");
            assertThat(service.awaitExit(Duration.ofSeconds(40)), is(0));
            awaitMessages(messages, 3);
            long copy = service.servingPids().get(1);
            new ProcessBuilder("kill", "-TERM", Long.toString(copy)).start().waitFor();
            awaitMessages(messages, 9);
            assertThat(messages.toString(), messages, hasSize(9));
            assertThat(messages.get(0), startsWith("READY=1|STATUS=serving on http://127.0.0.1:" + port));
            assertThat(messages.get(1), startsWith("RELOADING=1|MONOTONIC_USEC="));
            assertThat(messages.get(2), startsWith("MAINPID=" + copy + "|READY=1|STATUS=serving on"));
            assertThat(messages.get(3), startsWith("STOPPING=1|STATUS=stopping (SIGTERM)"));
            List<String> phases = List.of("READINESS", "STOP_ACCEPTING", "DRAIN", "RELEASE");
            for (int i = 0; i < phases.size(); i++) {
                assertThat(messages.get(4 + i), startsWith("STATUS=stopping (SIGTERM): phase " + phases.get(i) + ", "));
            }
            assertThat(messages.get(8), containsString("STATUS=stopped (SIGTERM): clean, exit code 0"));
            long usec = Long.parseLong(messages.get(1).replaceAll(".*MONOTONIC_USEC=(\\d+).*", "$1"));
            assertThat("MONOTONIC_USEC is a CLOCK_MONOTONIC time in microseconds", usec > 0, is(true));
        } finally {
            receiver.destroyForcibly();
            receiver.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void awaitMessages(List<String> messages, int count) throws Exception {
        Poll.await(Duration.ofSeconds(30), () -> messages.size() >= count,
                   () -> "only " + messages.size() + " of " + count + " messages: " + messages);
    }
}
