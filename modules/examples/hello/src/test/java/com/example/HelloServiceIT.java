package com.example;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.graceful.launcher.ExitCode;
import dev.graceful.process.ServiceProcess;
import dev.graceful.process.SteadyLoad;
import dev.graceful.wire.RawHttpConnection;

import jakarta.json.JsonObject;
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
 * The example service's jar as a user runs it: {@code java -jar graceful-example-hello.jar}, stopped and restarted
 * with real signals.
 */
class HelloServiceIT {

    @TempDir
    Path dir;

    @Test
    void sigtermWithTwentyRequestsInFlightAnswersEveryOneAndExitsZero() throws Exception {
        try (ServiceProcess service = ServiceProcess.start(dir, ServiceProcess.yaml());
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<RawHttpConnection.Response>> responses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                responses.add(clients.submit(() -> {
                    try (RawHttpConnection http = RawHttpConnection.open(service.port())) {
                        return http.get("/slow");
                    }
                }));
            }
            service.awaitInFlight(21, Duration.ofSeconds(20));
            service.signal("TERM");
            for (Future<RawHttpConnection.Response> f : responses) {
                RawHttpConnection.Response r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.status(), is(200));
                assertThat(r.body(), is("done"));
            }
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(ExitCode.CLEAN.code()));
            JsonObject report = service.report();
            assertThat(report.getBoolean("clean"), is(true));
            JsonObject drain = ServiceProcess.participant(report, "in-flight-requests");
            assertThat(drain.getJsonObject("figures").getInt("in-flight-at-start"), is(20));
            assertThat(drain.getJsonObject("figures").getInt("aborted"), is(0));
            assertThat(service.output(), containsString("graceful shutdown (SIGTERM) clean"));
        }
    }

    @Test
    void sighupUnderLoadRestartsWithNoFailedRequest() throws Exception {
        int port = ServiceProcess.freePort();
        String yaml = "server:\n  port: " + port + "\n  host: 127.0.0.1\n";
        try (ServiceProcess service = ServiceProcess.start(dir, yaml);
             SteadyLoad load = new SteadyLoad(port).start(4, 0, 2)) {
            load.awaitMore(300);
            service.signal("HUP");
            assertThat("old process exit code", service.awaitExit(Duration.ofSeconds(40)), is(0));
            load.awaitMore(300);
            List<Long> pids = service.servingPids();
            assertThat(pids, hasSize(2));
            assertThat(pids.get(1), not(is(service.pid())));
            assertThat(load.failures(), is(empty()));
            // the new process steers new connections to itself: nothing queued on the old listener is reset
            assertThat(load.notAccepted(), is(empty()));
            assertThat(load.greetings(), everyItem(is("hello")));
            assertThat(service.output(), containsString("graceful shutdown (RESTART) clean"));
        }
    }

    @Test
    void invalidConfigurationExitsWithTheConfigCodeNamingTheKey() throws Exception {
        try (ServiceProcess service = ServiceProcess.launch(dir, ServiceProcess.yaml("deadline: soon"))) {
            assertThat(service.awaitExit(Duration.ofSeconds(30)), is(ExitCode.INVALID_CONFIG.code()));
            assertThat(service.output(), containsString("graceful: invalid configuration: "));
            assertThat(service.output(), containsString("shutdown.deadline='soon'"));
            assertThat(service.output(), not(containsString("serving on")));
        }
    }
}
