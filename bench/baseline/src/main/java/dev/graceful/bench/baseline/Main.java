package dev.graceful.bench.baseline;

import io.helidon.webserver.WebServer;

/**
 * Plain Helidon SE: {@code GET /} and {@code GET /work?ms=N}, Helidon's own shutdown hook, no graceful.
 * Usage: {@code java -jar graceful-bench-baseline.jar PORT}.
 */
public final class Main {
    private Main() {
    }

    /**
     * Starts the server.
     *
     * @param args the port
     */
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(port)
                .routing(r -> r.get("/", (req, res) -> res.send("Hello from graceful\n"))
                        .get("/work", (req, res) -> {
                            long ms = Long.parseLong(req.query().first("ms").orElse("0"));
                            Thread.sleep(ms);
                            res.send("worked " + ms + " ms\n");
                        }))
                .build()
                .start();
        System.err.println("baseline: serving on http://127.0.0.1:" + server.port() + " (pid "
                + ProcessHandle.current().pid() + ")");
    }
}
