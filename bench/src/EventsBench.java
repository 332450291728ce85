import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Acknowledged events per ack mode, for bench/events: run with the app's libraries on the class path (SQLite JDBC).
 *
 * <pre>
 * java -cp 'app/target/libs/*' bench/src/EventsBench.java throughput JAR MODE CLIENTS SECONDS
 *     CLIENTS keep-alive clients posting unique events back to back for SECONDS: acknowledged/s, p50 and p99 latency
 * java -cp 'app/target/libs/*' bench/src/EventsBench.java sigkill JAR MODE RUNS
 *     per run: a fresh database, 8 clients, SIGKILL after 1,500 acknowledged, a new start, then acknowledged events
 *     missing from the database
 * </pre>
 * MODE is app.events.ack: committed or buffered. Loopback only.
 */
public final class EventsBench {

    public static void main(String[] args) throws Exception {
        String jar = args[1];
        String mode = args[2];
        switch (args[0]) {
        case "throughput" -> throughput(jar, mode, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        case "sigkill" -> sigkill(jar, mode, Integer.parseInt(args[3]));
        default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    private static void throughput(String jar, String mode, int clients, int seconds) throws Exception {
        Path dir = Files.createTempDirectory("events-bench");
        Server server = Server.start(jar, mode, dir);
        List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                pool.submit(() -> post(server.port, "t" + client + "-", stop, acked, latencies));
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
        }
        server.stop();
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "mode=%s acked_per_s=%.0f p50_ms=%.2f p99_ms=%.2f%n", mode,
                          acked.size() / (double) seconds, sorted[sorted.length / 2] / 1e6,
                          sorted[(int) (sorted.length * 0.99)] / 1e6);
    }

    private static void sigkill(String jar, String mode, int runs) throws Exception {
        List<Integer> missingPerRun = new ArrayList<>();
        int ackedTotal = 0;
        for (int run = 0; run < runs; run++) {
            Path dir = Files.createTempDirectory("events-kill");
            Server server = Server.start(jar, mode, dir);
            Set<String> acked = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 8; c++) {
                    int client = c;
                    pool.submit(() -> post(server.port, "k" + client + "-", stop, acked, null));
                }
                while (acked.size() < 1_500) {
                    Thread.sleep(5);
                }
                server.process.destroyForcibly();
                server.process.waitFor(10, TimeUnit.SECONDS);
                stop.set(true);
            }
            Server.start(jar, mode, dir).stop();
            Set<String> stored = new HashSet<>();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/events.db"));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT id FROM events")) {
                while (rs.next()) {
                    stored.add(rs.getString(1));
                }
            }
            ackedTotal += acked.size();
            missingPerRun.add((int) acked.stream().filter(id -> !stored.contains(id)).count());
        }
        System.out.println("mode=" + mode + " runs=" + runs + " acked=" + ackedTotal + " missing_per_run="
                                   + missingPerRun.toString().replace(" ", ""));
    }

    private static Void post(int port, String prefix, AtomicBoolean stop, Set<String> acked, List<Long> latencies) {
        int n = 0;
        while (!stop.get()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                s.setTcpNoDelay(true);
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                while (!stop.get()) {
                    String id = prefix + (n++);
                    String body = "{\"id\":\"" + id + "\",\"payload\":{\"n\":" + n + "}}";
                    long t0 = System.nanoTime();
                    out.write(("POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                            + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                    int status = readResponse(in);
                    if (status == 202) {
                        acked.add(id);
                        if (latencies != null) {
                            latencies.add(System.nanoTime() - t0);
                        }
                    }
                }
            } catch (IOException e) {
                if (stop.get()) {
                    return null;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ie) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Reads one response; returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("closed");
        }
        int length = 0;
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            if (h.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(h.substring(15).strip());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(status.split(" ")[1]);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return b.toString().strip();
            }
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }

    private record Server(Process process, int port) {
        static Server start(String jar, String mode, Path dir) throws Exception {
            int port;
            try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
                port = ss.getLocalPort();
            }
            Files.writeString(dir.resolve("app.yaml"), "server:\n  port: " + port + "\n  host: 127.0.0.1\n"
                    + "app:\n  events:\n    ack: " + mode + "\n");
            Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", jar,
                                           "--config", "app.yaml")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String l;
            while ((l = r.readLine()) != null && !l.contains("serving on")) {
                // starting
            }
            if (l == null) {
                throw new IllegalStateException("the service did not start");
            }
            Thread.ofVirtual().start(() -> r.lines().forEach(x -> { }));
            return new Server(p, port);
        }

        void stop() throws Exception {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
