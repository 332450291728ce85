package dev.graceful.app;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import dev.graceful.launcher.ExitCode;
import dev.graceful.process.ServiceProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * End to end: bad configuration and a port in use end the process with their documented exit code and a message
 * naming the problem, before anything is bound.
 */
class StartupErrorsIT {

    @TempDir
    Path dir;

    static Stream<Arguments> invalidShutdownSections() {
        return Stream.of(
                Arguments.of("deadline: -1s", "shutdown.deadline='-1s'"),
                Arguments.of("deadline: soon", "shutdown.deadline='soon'"),
                Arguments.of("deadline: 0s", "must be a positive duration"),
                Arguments.of("readiness-delay: 30s", "shutdown.readiness-delay='30s'"),
                Arguments.of("dedline: 5s", "shutdown.dedline"),
                Arguments.of("participants:\n    dbpool:\n      timeout: 2s", "shutdown.participants.dbpool"),
                Arguments.of("participants:\n    listener:\n      timout: 2s",
                             "shutdown.participants.listener.timout"),
                Arguments.of("participants:\n    listener:\n      enabled: maybe", "expected true or false"),
                Arguments.of("participants:\n    streams:\n      settings:\n        retry: soon",
                             "shutdown.participants.streams.settings.retry='soon'"),
                Arguments.of("participants:\n    streams:\n      settings:\n        retry: 0s",
                             "shutdown.participants.streams.settings.retry='0s'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidShutdownSections")
    void invalidConfigurationExitsWithTheConfigCodeNamingTheKey(String section, String expected) throws Exception {
        int port = freePort();
        String yaml = "server:\n  port: " + port + "\n  host: 127.0.0.1\nshutdown:\n  " + section + "\n";
        try (ServiceProcess service = ServiceProcess.launch(dir, yaml)) {
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(ExitCode.INVALID_CONFIG.code()));
            String out = service.output();
            assertThat(out, containsString("graceful: invalid configuration: "));
            assertThat(out, containsString(expected));
            assertThat(out, not(containsString("serving on")));
            assertThat("nothing bound", isFree(port), is(true));
            assertThat("no database created", java.nio.file.Files.exists(dir.resolve("data")), is(false));
        }
    }

    static Stream<Arguments> invalidEventSettings() {
        return Stream.of(
                Arguments.of("ack: sometimes", "app.events.ack='sometimes'", "expected one of [committed, buffered]"),
                Arguments.of("commit-timeout: soon", "app.events.commit-timeout='soon'", "positive duration"),
                Arguments.of("commit-timeout: 0s", "app.events.commit-timeout='0s'", "positive duration"),
                Arguments.of("durability: paranoid", "app.events.durability='paranoid'", "[full, normal]"),
                Arguments.of("replay-limit: -5", "app.events.replay-limit='-5'", "positive whole number"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidEventSettings")
    void invalidEventSettingsExitWithTheConfigCodeNamingTheKey(String setting, String key, String expected)
            throws Exception {
        int port = freePort();
        String yaml = "server:\n  port: " + port + "\n  host: 127.0.0.1\napp:\n  events:\n    " + setting + "\n";
        try (ServiceProcess service = ServiceProcess.launch(dir, yaml)) {
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(ExitCode.INVALID_CONFIG.code()));
            String out = service.output();
            assertThat(out, containsString(key));
            assertThat(out, containsString(expected));
            assertThat("nothing bound", isFree(port), is(true));
        }
    }

    @Test
    void missingConfigFileExitsWithTheConfigCode() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ServiceProcess.java(), "-jar", ServiceProcess.jar().toString(),
                                               "--config", dir.resolve("nope.yaml").toString())
                .redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(), is(ExitCode.INVALID_CONFIG.code()));
        assertThat(out, containsString("nope.yaml"));
    }

    @Test
    void portInUseExitsWithTheStartupCodeNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            String yaml = "server:\n  port: " + port + "\n  host: 127.0.0.1\n";
            try (ServiceProcess service = ServiceProcess.launch(dir, yaml)) {
                assertThat(service.awaitExit(Duration.ofSeconds(30)), is(ExitCode.STARTUP_FAILED.code()));
                assertThat(service.output(), containsString("port " + port + " is already in use"));
            }
        }
    }

    @Test
    void printPlanListsTheBuiltInParticipantsInOrderAndExitsZero() throws Exception {
        String yaml = "server:\n  port: 0\nshutdown:\n  deadline: 7s\n";
        try (ServiceProcess service = ServiceProcess.launch(dir, yaml, "--print-plan")) {
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(0));
            String out = service.output();
            assertThat(out, containsString("deadline of 7s"));
            int readiness = out.indexOf("readiness");
            int listener = out.indexOf(" listener ");
            int drain = out.indexOf("in-flight-requests");
            assertThat(readiness > 0 && readiness < listener && listener < drain, is(true));
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
