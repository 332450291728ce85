package dev.graceful.bench.baseline;

import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

/**
 * Plain Helidon SE, no graceful: the fair baseline of the benchmarks. {@code GET /}, {@code GET /work?ms=N} and
 * {@code GET /slow}, Helidon's own shutdown hook, {@code TCP_NODELAY} as graceful sets it, and the observe features
 * of the configuration it is compared with.
 * Usage: {@code java -jar graceful-bench-baseline.jar PORT [plain|health|metrics]}: {@code plain} (the default) has
 * no observe feature; {@code health} has the health endpoints, as graceful with {@code app.metrics.enabled: false};
 * {@code metrics} has health and metrics, as graceful's default.
 */
public final class Main {
    private Main() {
    }

    /**
     * Starts the server.
     *
     * @param args the port, then the observe mode
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        String mode = args.length > 1 ? args[1] : "plain";
        WebServerConfig.Builder builder = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .connectionOptions(SocketOptions.builder().tcpNoDelay(true).build())
                .routing(r -> r.get("/", (req, res) -> res.send("Hello from graceful\n"))
                        .get("/work", (req, res) -> {
                            long ms = Long.parseLong(req.query().first("ms").orElse("0"));
                            Thread.sleep(ms);
                            res.send("worked " + ms + " ms\n");
                        })
                        .get("/slow", (req, res) -> {
                            Thread.sleep(2_000);
                            res.send("done");
                        }));
        switch (mode) {
            case "plain" -> { }
            case "health" -> builder.addFeature(ObserveFeature.just(HealthObserver.create()));
            case "metrics" -> builder.addFeature(ObserveFeature.just(HealthObserver.create(), MetricsObserver.create()));
            default -> throw new IllegalArgumentException("mode '" + mode + "': expected plain, health or metrics");
        }
        WebServer server = builder.build().start();
        System.err.println("baseline: serving on http://127.0.0.1:" + server.port() + " (pid "
                + ProcessHandle.current().pid() + ", " + mode + ")");
    }
}
