package dev.graceful.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.graceful.process.ServiceProcess;
import dev.graceful.process.SteadyLoad;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * End to end behind a real proxy: nginx on loopback in front of two instances; each is stopped with SIGTERM and
 * replaced in turn, under a steady load through nginx. The client sees no failed request.
 */
class NginxRollingRestartIT {

    @TempDir
    Path dir;

    private static String yaml(int port) {
        return "server:\n  port: " + port + "\n  host: 127.0.0.1\nshutdown:\n  deadline: 20s\n"
                + "  readiness-delay: 1s\n";
    }

    @Test
    void rollingRestartBehindNginxFailsNoRequest() throws Exception {
        int portA = ServiceProcess.freePort();
        int portB = ServiceProcess.freePort();
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        ServiceProcess first = ServiceProcess.start(a, yaml(portA));
        ServiceProcess second = ServiceProcess.start(b, yaml(portB));
        ServiceProcess third = null;
        ServiceProcess fourth = null;
        Nginx nginxRef = null;
        try (Nginx nginx = Nginx.start(Files.createDirectories(dir.resolve("nginx")), portA, portB);
                SteadyLoad load = new SteadyLoad(nginx.port()).start(4, 2, 2)) {
            load.awaitMore(300);

            nginxRef = nginx;
            first.signal("TERM");
            assertThat(first.awaitExit(Duration.ofSeconds(30)), is(0));
            third = ServiceProcess.start(a, yaml(portA));
            load.awaitMore(300);

            second.signal("TERM");
            assertThat(second.awaitExit(Duration.ofSeconds(30)), is(0));
            fourth = ServiceProcess.start(b, yaml(portB));
            load.awaitMore(300);

            System.out.printf("rolling restart behind nginx: %d requests, %d failed%n", load.ok(),
                              load.failures().size());
            if (!load.failures().isEmpty()) {
                System.out.println("nginx error log:\n" + nginx.errorLog());
            }
            assertThat(load.failures(), is(empty()));
            assertThat(load.notAccepted(), is(empty()));
        } catch (AssertionError e) {
            System.out.println("nginx error log:\n" + (nginxRef == null ? "" : nginxRef.errorLog()));
            throw e;
        } finally {
            for (ServiceProcess p : new ServiceProcess[] {first, second, third, fourth}) {
                if (p != null) {
                    p.close();
                }
            }
        }
    }
}
