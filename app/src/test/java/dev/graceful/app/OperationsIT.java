package dev.graceful.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.graceful.launcher.ExitCode;
import dev.graceful.process.ServiceProcess;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * End to end: the adaptive readiness delay, the grace-period check, the printable plan with a plugin, and the
 * read-only shutdown view.
 */
class OperationsIT {

    @TempDir
    Path dir;

    /**
     * This covers a bug where a run that records a class cache (the JDK's AOT cache, AppCDS before JDK 25) never wrote
     * it: the fast exit through {@code _exit} skipped the JVM's own exit, which is where the cache is written.
     */
    @Test
    void aRunThatRecordsAClassCacheWritesItAsItExits() throws Exception {
        boolean aot = Runtime.version().feature() >= 25;
        Path cache = dir.resolve(aot ? "app.aot" : "app.jsa");
        String option = (aot ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + cache;
        try (ServiceProcess service = ServiceProcess.launch(dir, ServiceProcess.yaml(), Map.of(), List.of(option))) {
            service.port();
            service.signal("TERM");
            assertThat(service.output(), service.awaitExit(Duration.ofSeconds(60)), is(0));
        }
        assertThat("the cache was written at exit: " + cache, Files.size(cache), greaterThan(1_000_000L));
    }

    @Test
    void aQuietPeriodEndsTheReadinessDelayEarlyAndTheReportSaysSo() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml("deadline: 20s",
                "readiness-delay: 10s", "quiet-period: 500ms"))) {
            long sent = System.nanoTime();
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(15)), is(0));
            long millis = (System.nanoTime() - sent) / 1_000_000;
            assertThat("ended long before the 10s readiness delay", millis, lessThan(5_000L));
            JsonObject readiness = ServiceProcess.participant(service.report(), "readiness");
            assertThat(readiness.getJsonObject("figures").getInt("ended-by-quiet-period"), is(1));
            assertThat(readiness.getJsonObject("figures").getInt("readiness-delay-ms"), greaterThanOrEqualTo(450));
        }
    }

    @Test
    void withoutAQuietPeriodTheReadinessDelayRunsInFull() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml("deadline: 20s",
                "readiness-delay: 1500ms"))) {
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(15)), is(0));
            JsonObject readiness = ServiceProcess.participant(service.report(), "readiness");
            assertThat(readiness.getJsonObject("figures").getInt("ended-by-quiet-period"), is(0));
            assertThat(readiness.getJsonObject("figures").getInt("readiness-delay-ms"), greaterThanOrEqualTo(1_450));
        }
    }

    @Test
    void aDeadlineThatDoesNotFitTheGracePeriodFailsStartup() throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(dir, ServiceProcess.yaml("deadline: 30s",
                "grace-period: 30s"))) {
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(ExitCode.INVALID_CONFIG.code()));
            assertThat(service.output(), containsString("shutdown.grace-period='30s'"));
            assertThat(service.output(), containsString("SIGKILL"));
        }
    }

    @Test
    void printPlanShowsThePluginTheBudgetsAndTheArithmeticAsTableAndJson() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        Files.copy(PluginJar.examplePlugin(), dir.resolve("plugins/graceful-example-plugin.jar"));
        String yaml = ServiceProcess.yaml("deadline: 20s", "readiness-delay: 5s", "grace-period: 30s");
        try (ServiceProcess plan = ServiceProcess.launch(dir, yaml, "--print-plan")) {
            assertThat(plan.awaitExit(Duration.ofSeconds(30)), is(0));
            String out = plan.output();
            assertThat(out, containsString("readiness delay 5s + minimum budgets 1s = 6s <= deadline 20s; "
                                                   + "deadline 20s + margin 10s = grace period 30s"));
            assertThat(out.indexOf("events-flush") < out.indexOf("audit-trail"), is(true));
            assertThat(out.indexOf("audit-trail") < out.indexOf("database-pool"), is(true));
        }
        try (ServiceProcess plan = ServiceProcess.launch(dir, yaml, "--print-plan=json")) {
            assertThat(plan.awaitExit(Duration.ofSeconds(30)), is(0));
            assertThat(plan.output(), containsString("{\"name\":\"audit-trail\",\"phase\":\"RELEASE\",\"order\":50,"
                                                             + "\"timeoutMs\":2000"));
        }
    }

    /**
     * This covers a bug where Helidon's metrics read their settings from a configuration of Helidon's own defaults,
     * not from the service's file, so a {@code metrics} section in it was ignored.
     */
    @Test
    void theMetricsSectionOfTheServicesFileConfiguresHelidonsMetrics() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml()
                + "metrics:\n  app-name: graceful-under-test\n")) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + service.port() + "/observe/metrics");
            HttpResponse<String> metrics = client.send(HttpRequest.newBuilder(uri).build(),
                                                       HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode(), is(200));
            assertThat(metrics.body(), containsString("app=\"graceful-under-test\""));
            service.signal("TERM");
            assertThat(service.awaitExit(Duration.ofSeconds(15)), is(0));
        }
    }

    @Test
    void theShutdownViewIsReadOnly() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml())) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + service.port() + "/observe/shutdown");
            HttpResponse<String> view = client.send(HttpRequest.newBuilder(uri).build(),
                                                    HttpResponse.BodyHandlers.ofString());
            assertThat(view.statusCode(), is(200));
            assertThat(view.body(), containsString("\"state\":\"serving\""));
            assertThat(view.body(), containsString("\"name\":\"in-flight-requests\""));
            for (String method : new String[] {"POST", "PUT", "DELETE"}) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                                                             .method(method, HttpRequest.BodyPublishers.noBody())
                                                             .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(method + " must not be accepted", r.statusCode() / 100, is(4));
            }
            assertThat("still serving", client.send(HttpRequest.newBuilder(uri).build(),
                                                    HttpResponse.BodyHandlers.ofString()).body(),
                       containsString("\"state\":\"serving\""));
        }
    }
}
