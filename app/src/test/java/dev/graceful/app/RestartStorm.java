package dev.graceful.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.graceful.process.ServiceProcess;
import dev.graceful.process.SteadyLoad;

/**
 * The restart storm as a program of its own, so that a test can run it inside a network namespace it makes (with its
 * own {@code net.ipv4.tcp_migrate_req}): starts the jar, 32 connection-per-request clients, SIGHUP after 2,000
 * responses, 2,000 more from the new process; prints one line {@code STORM served=… failed=… reset=… steered=… exit=…}.
 */
public final class RestartStorm {

    private RestartStorm() {
    }

    /**
     * Runs the storm.
     *
     * @param args the directory to run the service in
     * @throws Exception when the storm cannot run
     */
    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        int port = ServiceProcess.freePort();
        String yaml = "server:\n  port: " + port + "\n  host: 127.0.0.1\n";
        int exit;
        String output;
        SteadyLoad load;
        try (ServiceProcess service = ServiceProcess.start(dir, yaml)) {
            load = new SteadyLoad(port).start(0, 0, 32);
            try (load) {
                load.awaitMore(2_000);
                service.signal("HUP");
                exit = service.awaitExit(Duration.ofSeconds(40));
                load.awaitMore(2_000);
            }
            output = service.output();
        }
        System.out.println("STORM served=" + load.ok() + " failed=" + load.failures().size() + " reset="
                                   + load.notAccepted().size() + " steered="
                                   + output.contains("new connections steered to this process") + " exit=" + exit);
        load.failures().stream().limit(5).forEach(f -> System.out.println("  failed: " + f));
        load.notAccepted().stream().limit(5).forEach(f -> System.out.println("  reset: " + f));
        System.exit(0);
    }
}
