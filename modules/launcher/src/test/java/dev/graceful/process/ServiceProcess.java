package dev.graceful.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.graceful.launcher.GracefulServer;
import dev.graceful.wire.RawHttpConnection;

import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * A real service jar started as a process, as a user or a supervisor starts it: {@code java -jar JAR --config FILE}
 * with the jar named by the system property {@code graceful.jar}, signalled with {@code kill}. Collects its stderr
 * lines. Shared by the end-to-end tests of every service built on the launcher.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Pattern SERVING = Pattern.compile("graceful: serving on http://[^:]+:(\\d+) \\(pid (\\d+)");

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> port = new CompletableFuture<>();
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final List<Long> servingPids = new CopyOnWriteArrayList<>();

    private record Waiter(Predicate<String> match, CompletableFuture<String> found) {
    }

    private ServiceProcess(Process process) {
        this.process = process;
        Thread.ofVirtual().start(() -> collect(process.getErrorStream()));
        Thread.ofVirtual().start(() -> collect(process.getInputStream()));
        process.onExit().thenRun(() -> port.completeExceptionally(
                new IllegalStateException("service exited with " + process.exitValue() + " before serving:\n"
                                                  + output())));
    }

    /** Starts the jar in {@code dir} with {@code yaml} as its configuration; does not wait for it to serve. */
    public static ServiceProcess launch(Path dir, String yaml, String... args) throws IOException {
        return launch(dir, yaml, java.util.Map.of(), args);
    }

    /** Starts the jar as {@link #launch(Path, String, String...)} does, with these environment variables added. */
    public static ServiceProcess launch(Path dir, String yaml, java.util.Map<String, String> env, String... args)
            throws IOException {
        return launch(dir, yaml, env, List.of(), args);
    }

    /** Starts the jar as {@link #launch(Path, String, String...)} does, with these JVM options before {@code -jar}. */
    public static ServiceProcess launch(Path dir, String yaml, java.util.Map<String, String> env,
                                        List<String> jvmOptions, String... args) throws IOException {
        Path config = dir.resolve("app.yaml");
        Files.writeString(config, yaml);
        List<String> command = new java.util.ArrayList<>(List.of(java()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString(), "--config", config.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().remove(GracefulServer.CONFIG_ENV);
        pb.environment().putAll(env);
        return new ServiceProcess(pb.start());
    }

    /** Starts the jar and waits until it serves. */
    public static ServiceProcess start(Path dir, String yaml) throws Exception {
        ServiceProcess p = launch(dir, yaml);
        p.port();
        return p;
    }

    public static Path jar() {
        return Path.of(System.getProperty("graceful.jar", "target/graceful-app.jar")).toAbsolutePath();
    }

    public static String java() {
        return System.getProperty("graceful.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** A free port on 127.0.0.1, for tests that need to know it before the service starts. */
    public static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    /** A configuration on a free port chosen by the OS, plus the given shutdown section lines. */
    public static String yaml(String... shutdownLines) {
        StringBuilder b = new StringBuilder("server:\n  port: 0\n  host: 127.0.0.1\nshutdown:\n");
        for (String l : shutdownLines) {
            b.append("  ").append(l).append('\n');
        }
        if (shutdownLines.length == 0) {
            b.append("  deadline: 25s\n");
        }
        return b.toString();
    }

    public int port() throws Exception {
        return port.get(60, TimeUnit.SECONDS);
    }

    public long pid() {
        return process.pid();
    }

    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Waits for the process to exit and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("service did not exit within " + timeout + "; output:\n" + output());
        }
        return process.exitValue();
    }

    public CompletableFuture<Void> onExit() {
        return process.onExit().thenApply(p -> null);
    }

    /** Waits until a line containing {@code text} has been printed. */
    public String awaitLine(String text, Duration timeout) throws Exception {
        CompletableFuture<String> found = new CompletableFuture<>();
        waiters.add(new Waiter(l -> l.contains(text), found));
        lines.stream().filter(l -> l.contains(text)).findFirst().ifPresent(found::complete);
        return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String output() {
        return String.join("\n", lines);
    }

    /** The one-line JSON report printed on stderr at shutdown. */
    public JsonObject report() throws Exception {
        String line = awaitLine("{\"report\":\"graceful-shutdown\"", Duration.ofSeconds(5));
        return Json.createReader(new StringReader(line.substring(line.indexOf('{')))).readObject();
    }

    public static JsonObject participant(JsonObject report, String name) {
        return report.getJsonArray("participants").stream()
                .map(v -> v.asJsonObject())
                .filter(o -> o.getString("name").equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no participant " + name + " in " + report));
    }

    /** The service's in-flight request gauge, read from its metrics endpoint (this request included). */
    public long inFlight() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/observe/metrics/application"))
                        .header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        JsonObject o = Json.createReader(new StringReader(r.body())).readObject();
        return o.getJsonNumber("graceful.requests.in-flight").longValue();
    }

    /** Polls the gauge until it reaches {@code atLeast} (the probe itself counts as one). */
    public void awaitInFlight(long atLeast, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        long seen;
        while ((seen = inFlight()) < atLeast) {
            if (System.nanoTime() > end) {
                throw new AssertionError("in-flight gauge reached only " + seen + ", expected " + atLeast);
            }
            Thread.sleep(20);
        }
    }

    /** Polls readiness on fresh connections until it answers 503. */
    public void awaitReadinessDown(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (RawHttpConnection probe = RawHttpConnection.open(port())) {
                int status = probe.get("/observe/health/ready").status();
                if (status == 503) {
                    return;
                }
                if (System.nanoTime() > end) {
                    throw new AssertionError("readiness still answers " + status + " after " + timeout);
                }
            }
            Thread.sleep(10);
        }
    }

    private void collect(java.io.InputStream stream) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                    servingPids.add(Long.parseLong(m.group(2)));
                }
                for (Waiter w : waiters) {
                    if (w.match().test(line)) {
                        w.found().complete(line);
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Pids that announced they serve, in order: the started process, then each restarted copy. */
    public List<Long> servingPids() {
        return List.copyOf(servingPids);
    }

    /** Kills the started process and every copy it started by restarting. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        for (long pid : servingPids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
