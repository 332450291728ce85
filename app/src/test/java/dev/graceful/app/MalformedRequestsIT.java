package dev.graceful.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.graceful.process.ServiceProcess;
import dev.graceful.wire.RawHttpConnection;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * End to end: a client's own error (request line, headers, framing, body, query, path) gets a 4xx, never a 5xx; after a
 * framing error the server closes the connection; nothing is logged at WARNING or above for it; and the service goes
 * on serving and stops cleanly afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MalformedRequestsIT {

    private static final String CRLF = "\r\n";
    private static final String JSON = "Content-Type: application/json\r\n";
    /** Marks the end of what is sent before the client shuts its output down (never sent itself). */
    private static final String HALF_CLOSE = "\u0000<half-close>";

    @TempDir
    static Path dir;

    private static ServiceProcess service;

    @BeforeAll
    static void start() throws Exception {
        service = ServiceProcess.start(dir, ServiceProcess.yaml() + "app:\n  events:\n    max-body-bytes: 16384\n");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    /** Each malformed request: a name, its bytes, and whether the server must close the connection after it. */
    static Stream<Arguments> malformedRequests() {
        String deep = "{\"id\":\"deep\",\"payload\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        return Stream.of(
                // the request line
                bad("not a request line", "GARBAGE\r\n\r\n", true),
                bad("method only", "GET\r\n\r\n", true),
                bad("space in the target", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", true),
                bad("NUL in the target", "GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n", true),
                bad("target of 100,000 characters", "GET /" + "a".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                    true),
                bad("absolute target with a bad authority", "GET http://[bad/ HTTP/1.1\r\nHost: x\r\n\r\n", true),
                // the headers
                bad("no Host header", "GET / HTTP/1.1\r\n\r\n", false),
                bad("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", false),
                bad("Host that is not a host", "GET / HTTP/1.1\r\nHost: [bad\r\n\r\n", false),
                bad("header line without a colon", "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", true),
                bad("space in a header name", "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", true),
                bad("control character in a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n",
                    true),
                bad("folded header", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", true),
                bad("100 KB of headers", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "v".repeat(100_000)
                        + "\r\n\r\n", true),
                // the framing
                bad("Content-Length not a number", post("Content-Length: ten\r\n", "{}"), true),
                bad("negative Content-Length", post("Content-Length: -5\r\n", "{}"), true),
                bad("two different Content-Length", post("Content-Length: 2\r\nContent-Length: 3\r\n", "{}"),
                    true),
                bad("chunked together with Content-Length",
                    post("Transfer-Encoding: chunked\r\nContent-Length: 7\r\n", "2\r\n{}\r\n0\r\n\r\n"), true),
                bad("Transfer-Encoding that does not end in chunked", post("Transfer-Encoding: gzip\r\n", "{}"),
                    true),
                bad("chunk size that is not hex", post("Transfer-Encoding: chunked\r\n", "ZZZ\r\nabc\r\n0\r\n\r\n"),
                    true),
                bad("chunk size beyond any length",
                    post("Transfer-Encoding: chunked\r\n", "FFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n"), true),
                cutShort("chunked body cut short by the client",
                         post("Transfer-Encoding: chunked\r\n", "20\r\n{\"id\"")),
                cutShort("body cut short by the client", post("Content-Length: 100\r\n", "{\"id\":\"a\"")),
                bad("bad terminating chunk", post("Transfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\nX\r\n\r\n"),
                    true),
                // bodies
                bad("body that is not UTF-8", postBytes(new byte[] {'{', '"', 'i', 'd', '"', ':', '"',
                        (byte) 0xff, (byte) 0xfe, '"', '}'}), false),
                bad("body nested 5000 deep", post("Content-Length: " + deep.length() + "\r\n", deep), false),
                bad("body over max-body-bytes", post("Content-Length: 20000\r\n", "{\"id\":\"x\",\"payload\":\""
                        + "x".repeat(19_977) + "\"}"), false),
                bad("body that is JSON cut short", post("Content-Length: 20\r\n", "{\"id\":\"a\",\"payload\":"),
                    false),
                bad("body that is no JSON at all", post("Content-Length: 5\r\n", "hello"), false),
                // query values and odd paths
                bad("NUL in a query value", "GET /work?ms=%00 HTTP/1.1\r\nHost: x\r\n\r\n", false),
                bad("bad percent-encoding in a query value", "GET /work?ms=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n", false),
                bad("encoded dot-dot segments", "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", false),
                bad("encoded slash and dot-dot", "GET /..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n", false),
                bad("encoded NUL in the path", "GET /events/%00 HTTP/1.1\r\nHost: x\r\n\r\n", false),
                bad("path of 8,000 characters", "GET /" + "p/".repeat(4_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                    false),
                bad("bad percent-encoding in the path", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", false));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void aClientsOwnErrorGetsA4xx(String name, byte[] request, boolean closes) throws Exception {
        Exchange e = exchange(request);
        assertThat(name + ": " + e.head, e.status, allOf(greaterThanOrEqualTo(400), lessThan(500)));
        if (closes) {
            assertThat(name + ": the server closes the connection after the response", e.closed, is(true));
        }
    }

    @Order(2)
    @Test
    void theTableHasAtLeastThirtyRequests() {
        assertThat(malformedRequests().count() >= 30, is(true));
    }

    @Order(3)
    @Test
    void afterThemTheServiceServesLogsNoWarningAndStopsCleanly() throws Exception {
        try (RawHttpConnection http = RawHttpConnection.open(service.port())) {
            assertThat(http.get("/").status(), is(200));
        }
        List<String> warnings = new ArrayList<>();
        for (String line : service.output().split("\n")) {
            if (line.contains(" WARNING ") || line.contains(" SEVERE ")) {
                warnings.add(line);
            }
        }
        assertThat(warnings, is(empty()));
        service.signal("TERM");
        assertThat(service.awaitExit(Duration.ofSeconds(30)), is(0));
        assertThat(service.output(), containsString("graceful shutdown (SIGTERM) clean"));
    }

    private static Arguments bad(String name, String request, boolean closes) {
        return Arguments.of(name, request.getBytes(StandardCharsets.ISO_8859_1), closes);
    }

    /** A request whose client sends part of the body and then ends its side of the connection. */
    private static Arguments cutShort(String name, String request) {
        return Arguments.of(name, (request + HALF_CLOSE).getBytes(StandardCharsets.ISO_8859_1), true);
    }

    private static Arguments bad(String name, byte[] request, boolean closes) {
        return Arguments.of(name, request, closes);
    }

    private static String post(String headers, String body) {
        return "POST /events HTTP/1.1\r\nHost: x\r\n" + JSON + headers + CRLF + body;
    }

    private static byte[] postBytes(byte[] body) {
        byte[] head = ("POST /events HTTP/1.1\r\nHost: x\r\n" + JSON + "Content-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** What a raw client saw: the status line and headers, and whether the server then closed the connection. */
    private record Exchange(int status, String head, boolean closed) {
    }

    private static Exchange exchange(byte[] request) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", service.port()), 5_000);
            s.setSoTimeout(5_000);
            try {
                String text = new String(request, StandardCharsets.ISO_8859_1);
                boolean halfClose = text.endsWith(HALF_CLOSE);
                s.getOutputStream().write(halfClose
                        ? text.substring(0, text.length() - HALF_CLOSE.length()).getBytes(StandardCharsets.ISO_8859_1)
                        : request);
                s.getOutputStream().flush();
                if (halfClose) {
                    s.shutdownOutput();
                }
            } catch (IOException e) {
                // the server may answer and close before it has read everything sent
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            boolean closed = false;
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                    if (!closed && isCompleteResponse(got.toString(StandardCharsets.ISO_8859_1))
                            && s.getSoTimeout() > 1_000) {
                        // the response is complete: wait a little for the close, not the full timeout
                        s.setSoTimeout(1_000);
                    }
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (IOException e) {
                // a reset after the response still ends the connection
                closed = true;
            }
            String text = got.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = end < 0 ? text : text.substring(0, end);
            int status = text.startsWith("HTTP/1.1 ") && text.length() >= 12
                    ? Integer.parseInt(text.substring(9, 12)) : -1;
            return new Exchange(status, head, closed);
        }
    }

    private static boolean isCompleteResponse(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        int at = head.indexOf("content-length:");
        if (at < 0) {
            return true;
        }
        int lineEnd = head.indexOf("\r\n", at);
        int length = Integer.parseInt(head.substring(at + 15, lineEnd < 0 ? head.length() : lineEnd).strip());
        return text.length() - end - 4 >= length;
    }
}
