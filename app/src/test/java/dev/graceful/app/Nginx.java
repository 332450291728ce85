package dev.graceful.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.graceful.process.ServiceProcess;


/**
 * A real nginx on loopback, in front of the given upstream ports, with the settings that make a rolling restart
 * invisible to clients (documented in deploy/nginx/graceful.conf).
 */
final class Nginx implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;

    private Nginx(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static Path binary() {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("nginx is not installed; 'bin/graceful test' installs it on Debian as root, "
                                                + "or run 'apt-get install nginx-light'");
    }

    static Nginx start(Path dir, int... upstreams) throws Exception {
        int port = ServiceProcess.freePort();
        Files.createDirectories(dir.resolve("tmp"));
        StringBuilder servers = new StringBuilder();
        for (int u : upstreams) {
            servers.append("        server 127.0.0.1:").append(u).append(" max_fails=0;\n");
        }
        String template = Files.readString(Path.of("../deploy/nginx/graceful.conf"));
        String http = template.substring(template.indexOf("    upstream"))
                .replaceAll("(?m)^\\s*server 127\\.0\\.0\\.1:\\d+.*\\n", "")
                .replace("keepalive 32;", servers + "        keepalive 32;")
                .replace("listen 80;", "listen 127.0.0.1:" + port + ";");
        String conf = (isRoot() ? "user root;\n" : "") + "worker_processes 1;\ndaemon off;\npid " + dir.resolve("nginx.pid")
                + ";\nerror_log " + dir.resolve("error.log") + " warn;\nevents { worker_connections 1024; }\n"
                + "http {\n    access_log off;\n"
                + "    client_body_temp_path " + dir.resolve("tmp/body") + ";\n"
                + "    proxy_temp_path " + dir.resolve("tmp/proxy") + ";\n"
                + "    fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";\n"
                + "    uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";\n"
                + "    scgi_temp_path " + dir.resolve("tmp/scgi") + ";\n"
                + http + "}\n";
        Path confFile = dir.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        Process p = new ProcessBuilder(binary().toString(), "-c", confFile.toString(), "-p", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Nginx nginx = new Nginx(p, port, dir);
        nginx.awaitListening(Duration.ofSeconds(10));
        return nginx;
    }

    int port() {
        return port;
    }

    private void awaitListening(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > end) {
                    throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("stdout.log"))
                            + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : ""));
                }
                Thread.sleep(20);
            }
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The error log so far, for failure messages. */
    String errorLog() throws IOException {
        Path log = dir.resolve("error.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
