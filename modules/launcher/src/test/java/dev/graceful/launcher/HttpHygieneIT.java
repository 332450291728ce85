package dev.graceful.launcher;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.graceful.ShutdownReport;
import dev.graceful.spi.ShutdownReason;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;

/**
 * HTTP hygiene that every service on the kit gets, all the time and not only at shutdown, on real sockets.
 */
class HttpHygieneIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private RunningServer running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.stop(ShutdownReason.REQUESTED);
        }
    }

    /** This covers a bug where a response to {@code Connection: close} said so but the connection stayed open. */
    @Test
    void aRequestWithConnectionCloseGetsItsResponseAndThenEndOfStreamPromptly() throws Exception {
        running = serve(null);
        try (Socket s = connect()) {
            long start = System.nanoTime();
            send(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            String all = readToEnd(s);
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(all, startsWith("HTTP/1.1 200 OK"));
            assertThat(all, containsString("Connection: close"));
            assertThat(all, endsWith("hello"));
            assertThat("end of stream after " + millis + " ms", millis, lessThan(2_000L));
        }
    }

    @Test
    void aKeepAliveConnectionStaysOpenForTheNextRequest() throws Exception {
        running = serve(null);
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(readResponse(s.getInputStream()), endsWith("hello"));
            send(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(readToEnd(s), endsWith("hello"));
        }
    }

    @Test
    void whileServingAHeadThatStaysIncompleteIsClosedAfterTheReadHeaderTimeout() throws Exception {
        running = serve(null, "  participants:\n    listener:\n      settings:\n        read-header-timeout: 1s\n");
        try (Socket slow = connect(); Socket other = connect()) {
            long start = System.nanoTime();
            send(slow, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            assertThat(readToEnd(slow), is(""));
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat("closed after " + millis + " ms", millis >= 900 && millis < 5_000, is(true));
            send(other, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(readToEnd(other), endsWith("hello"));
        }
    }

    /** A request whose head is complete and whose body is still uploading is accepted: it is drained, not cut. */
    @Test
    void anUploadInProgressAtStopIsDrainedNotClosedAsAnIncompleteHead() throws Exception {
        CountDownLatch reading = new CountDownLatch(1);
        running = serve(reading);
        try (Socket s = connect()) {
            send(s, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
            assertThat(reading.await(WAIT.toSeconds(), TimeUnit.SECONDS), is(true));
            CompletableFuture<ShutdownReport> report = CompletableFuture.supplyAsync(
                    () -> running.stop(ShutdownReason.REQUESTED));
            // well past the 1 s bound for incomplete heads
            Thread.sleep(1_500);
            send(s, "world");
            assertThat(readResponse(s.getInputStream()), endsWith("got 10 bytes"));
            ShutdownReport r = report.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(r.toTable(), r.isClean(), is(true));
            assertThat(r.toJson(), containsString("\"incomplete-heads-closed\":0"));
        }
    }

    private static RunningServer serve(CountDownLatch reading) {
        return serve(reading, "");
    }

    private static RunningServer serve(CountDownLatch reading, String shutdownLines) {
        return GracefulServer.builder()
                .config(Config.just(ConfigSources.create("server:\n  port: 0\n  host: 127.0.0.1\n"
                                                                 + "shutdown:\n  deadline: 10s\n" + shutdownLines,
                                                         MediaTypes.APPLICATION_X_YAML)))
                .routing(r -> r
                        .get("/", (req, res) -> res.send("hello"))
                        .post("/upload", (req, res) -> {
                            try (InputStream in = req.content().inputStream()) {
                                int first = in.read();
                                reading.countDown();
                                byte[] rest = in.readAllBytes();
                                res.send("got " + (first < 0 ? 0 : 1 + rest.length) + " bytes");
                            }
                        }))
                .build()
                .start();
    }

    private Socket connect() throws Exception {
        Socket s = new Socket("127.0.0.1", running.port());
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static void send(Socket s, String text) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads until the server ends the stream; fails if it does not within the socket's timeout. */
    private static String readToEnd(Socket s) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        try {
            while ((n = s.getInputStream().read(buf)) >= 0) {
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no end of stream; read so far: " + all, e);
        }
        return all.toString(StandardCharsets.US_ASCII);
    }

    /** Reads one response with a Content-Length body. */
    private static String readResponse(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection ended inside a response head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length:");
        int length = Integer.parseInt(text.substring(at + 15, text.indexOf("\r\n", at)).strip());
        return text + new String(in.readNBytes(length), StandardCharsets.US_ASCII);
    }
}
