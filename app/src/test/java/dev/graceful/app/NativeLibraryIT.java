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

import dev.graceful.process.ServiceProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** End to end: the jar loads SQLite's native library where the build unpacked it, and writes no copy anywhere. */
class NativeLibraryIT {

    @TempDir
    Path dir;

    @Test
    @EnabledOnOs(OS.LINUX)
    void theServiceLoadsTheUnpackedLibraryAndLeavesNothingInTheTemporaryDirectory() throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path unpacked = ServiceProcess.jar().getParent().resolve(SqliteLibrary.UNPACKED).toRealPath();
        try (ServiceProcess service = ServiceProcess.launch(dir, ServiceProcess.yaml(), Map.of(),
                                                            List.of("-Djava.io.tmpdir=" + tmp))) {
            int port = service.port();
            // an acknowledged write: the database is open, so the library is loaded
            HttpResponse<String> stored = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"native-1\",\"payload\":{}}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stored.body(), stored.statusCode() / 100, is(2));

            List<String> mapped = Files.readAllLines(Path.of("/proc/" + service.pid() + "/maps")).stream()
                    .filter(line -> line.contains("sqlitejdbc"))
                    .map(line -> line.substring(line.indexOf('/')))
                    .toList();
            assertThat("the library is loaded", mapped, is(not(empty())));
            assertThat(mapped, everyItem(startsWith(unpacked.toString())));
            try (var files = Files.list(tmp)) {
                assertThat("nothing extracted", files.toList(), is(empty()));
            }

            service.signal("TERM");
            assertThat(service.output(), service.awaitExit(Duration.ofSeconds(30)), is(0));
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.toList(), is(empty()));
        }
    }
}
