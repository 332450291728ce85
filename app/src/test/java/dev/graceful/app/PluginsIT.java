package dev.graceful.app;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.graceful.app.plugins.StubbornParticipant;
import dev.graceful.app.plugins.ThrowingAtLoadParticipant;
import dev.graceful.app.plugins.ThrowingParticipant;
import dev.graceful.launcher.ExitCode;
import dev.graceful.process.ServiceProcess;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * End to end: plugin jars dropped into {@code plugins/} run in their phase with no change to the application,
 * take their YAML section, and a broken plugin gives a clear error without holding the exit past the deadline.
 */
class PluginsIT {

    @TempDir
    Path dir;

    @Test
    void theExamplePluginDroppedIntoPluginsRunsAndIsConfiguredFromYaml() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        Files.copy(PluginJar.examplePlugin(), dir.resolve("plugins/graceful-example-plugin.jar"));
        String yaml = ServiceProcess.yaml("deadline: 10s", "participants:", "  audit-trail:",
                                          "    timeout: 1s", "    settings:", "      file: audit/trail.log");
        try (ServiceProcess service = ServiceProcess.start(dir, yaml)) {
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(15)), is(0));
            JsonObject audit = ServiceProcess.participant(service.report(), "audit-trail");
            assertThat(audit.getString("phase"), is("RELEASE"));
            assertThat(audit.getString("outcome"), is("COMPLETED"));
        }
        assertThat(Files.readString(dir.resolve("audit/trail.log")), containsString("stopped reason=SIGTERM"));
    }

    @Test
    void withoutThePluginJarNothingOfItRuns() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(15)), is(0));
            assertThat(service.report().toString(), not(containsString("audit-trail")));
        }
        assertThat(Files.exists(dir.resolve("data/audit.log")), is(false));
    }

    @Test
    void aDisabledPluginShowsAsDisabledInThePlanAndDoesNotRun() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        Files.copy(PluginJar.examplePlugin(), dir.resolve("plugins/graceful-example-plugin.jar"));
        String yaml = ServiceProcess.yaml("deadline: 10s", "participants:", "  audit-trail:", "    enabled: false");
        try (ServiceProcess plan = ServiceProcess.launch(dir, yaml, "--print-plan")) {
            assertThat(plan.awaitExit(Duration.ofSeconds(30)), is(0));
            assertThat(plan.output(), containsString("audit-trail"));
            assertThat(plan.output(), containsString("disabled in configuration"));
        }
        try (ServiceProcess service = ServiceProcess.start(dir, yaml)) {
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(15)), is(0));
            assertThat(service.report().toString(), not(containsString("audit-trail")));
        }
        assertThat(Files.exists(dir.resolve("data/audit.log")), is(false));
    }

    @Test
    void aPluginThatThrowsAtLoadFailsStartupNamingItsClass() throws Exception {
        PluginJar.build(dir.resolve("plugins/broken.jar"), ThrowingAtLoadParticipant.class);
        try (ServiceProcess service = ServiceProcess.launch(dir, ServiceProcess.yaml())) {
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(ExitCode.STARTUP_FAILED.code()));
            assertThat(service.output(), containsString(ThrowingAtLoadParticipant.class.getName()));
            assertThat(service.output(), containsString("cannot connect to the discovery service"));
            assertThat(service.output(), not(containsString("serving on")));
        }
    }

    /**
     * This covers a bug where a plugins directory that cannot be listed escaped as an unchecked exception and ended
     * the process with 1, the code of a stop that was not clean, instead of 69 with a message naming the directory.
     */
    @Test
    void aPluginsDirectoryThatCannotBeListedFailsStartupNamingIt() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path config = Files.writeString(dir.resolve("app.yaml"), ServiceProcess.yaml());
        List<String> command = new ArrayList<>();
        if (System.getProperty("user.name").equals("root")) {
            // root lists any directory: without these capabilities it obeys the permission bits like anyone
            command.addAll(List.of("setpriv", "--bounding-set=-dac_override,-dac_read_search"));
        }
        command.addAll(List.of(ServiceProcess.java(), "-jar", ServiceProcess.jar().toString(), "--config",
                               config.toString()));
        Files.setPosixFilePermissions(plugins, Set.of());
        try {
            Process service = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(service.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(output, service.waitFor(), is(ExitCode.STARTUP_FAILED.code()));
            assertThat(output, containsString("cannot list the plugin directory " + plugins.toAbsolutePath()));
            assertThat(output, not(containsString("serving on")));
        } finally {
            Files.setPosixFilePermissions(plugins, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void pluginsThatThrowOrIgnoreInterruptsAreReportedAndTheExitKeepsTheDeadline() throws Exception {
        PluginJar.build(dir.resolve("plugins/bad.jar"), ThrowingParticipant.class, StubbornParticipant.class);
        String yaml = ServiceProcess.yaml("deadline: 5s", "participants:", "  stubborn:", "    timeout: 1s");
        try (ServiceProcess service = ServiceProcess.start(dir, yaml)) {
            long sent = System.nanoTime();
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(15)), is(ExitCode.NOT_CLEAN.code()));
            long millis = (System.nanoTime() - sent) / 1_000_000;
            assertThat("exit within the deadline + 1 s", millis, lessThan(6_000L));
            JsonObject report = service.report();
            JsonObject throwing = ServiceProcess.participant(report, "throwing");
            assertThat(throwing.getString("outcome"), is("FAILED"));
            assertThat(throwing.getString("error"), containsString("deregistration refused"));
            JsonObject stubborn = ServiceProcess.participant(report, "stubborn");
            assertThat(stubborn.getString("outcome"), is("TIMED_OUT"));
            assertThat(stubborn.getString("error"), containsString("1s"));
            assertThat(ServiceProcess.participant(report, "events-flush").getString("outcome"), is("COMPLETED"));
            assertThat(ServiceProcess.participant(report, "database-pool").getString("outcome"), is("COMPLETED"));
        }
    }
}
