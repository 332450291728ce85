package dev.graceful.app;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import dev.graceful.process.Poll;
import dev.graceful.process.ServiceProcess;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * End to end: bad query values and bad event bodies get 400 with a message that names the problem; good ones work;
 * duplicate event ids are stored once.
 */
class RequestValidationIT {

    @TempDir
    static Path dir;

    private static ServiceProcess service;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        service = ServiceProcess.start(dir, ServiceProcess.yaml() + "app:\n  work-max-ms: 5000\n"
                + "  events:\n    max-body-bytes: 1024\n");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                                   .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                           HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) throws Exception {
        return URI.create("http://127.0.0.1:" + service.port() + path);
    }

    @Test
    void rootAnswersWithTheGreeting() throws Exception {
        assertThat(get("/").body(), is("Hello from graceful\n"));
    }

    @Test
    void workSleepsForAValidDuration() throws Exception {
        HttpResponse<String> r = get("/work?ms=100");
        assertThat(r.statusCode(), is(200));
        assertThat(r.body(), is("worked 100 ms\n"));
    }

    @ParameterizedTest(name = "/work{0}")
    @CsvSource(delimiter = '|', value = {
            "''              | query parameter 'ms' is required",
            "?ms=abc         | got 'abc'",
            "?ms=-5          | got -5",
            "?ms=5001        | from 0 to 5000; got 5001",
            "?ms=1.5         | got '1.5'",
            "?ms=99999999999999999999 | got '99999999999999999999'"})
    void workRejectsABadDurationWith400NamingIt(String query, String message) throws Exception {
        HttpResponse<String> r = get("/work" + query);
        assertThat(r.statusCode(), is(400));
        assertThat(r.body(), containsString(message));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":", "[1,2]", "\"text\"", "", "{\"id\": 5, \"payload\": 1}",
            "{\"id\": \"\", \"payload\": 1}", "{\"payload\": 1}", "{\"id\": \"a\"}"})
    void eventsRejectABadBodyWith400AndAMessage(String body) throws Exception {
        HttpResponse<String> r = post("/events", body);
        assertThat(body, r.statusCode(), is(400));
        assertThat(r.body(), containsString("\"error\":"));
    }

    @Test
    void eventsRejectAnOversizedBody() throws Exception {
        HttpResponse<String> r = post("/events", "{\"id\":\"big\",\"payload\":\"" + "x".repeat(2_000) + "\"}");
        assertThat(r.statusCode(), is(400));
        assertThat(r.body(), containsString("exceeds 1024 bytes"));
        assertThat(get("/events/big").statusCode(), is(404));
    }

    @Test
    void aDuplicateEventIdIsStoredOnceAndReadBack() throws Exception {
        assertThat(post("/events", "{\"id\":\"dup-1\",\"payload\":{\"v\":1}}").statusCode(), is(202));
        assertThat(post("/events", "{\"id\":\"dup-1\",\"payload\":{\"v\":2}}").statusCode(), is(202));
        Poll.until(Duration.ofSeconds(10), () -> get("/events/dup-1").statusCode() != 404);
        HttpResponse<String> stored = get("/events/dup-1");
        assertThat(stored.statusCode(), is(200));
        assertThat(stored.body(), is("{\"id\":\"dup-1\",\"payload\":{\"v\":1}}"));
        assertThat(get("/events/no-such-id").statusCode(), is(404));
        assertThat(get("/events/count").body(), containsString("\"count\":"));
    }
}
