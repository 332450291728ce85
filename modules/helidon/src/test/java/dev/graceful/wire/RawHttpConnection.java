package dev.graceful.wire;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection to 127.0.0.1 over a plain socket, so a test sees exactly which request got which response
 * on which connection, and whether the server then closed the connection or reset it. Understands
 * {@code Content-Length} bodies only, which is all the test routes send. The one raw HTTP/1.1 client of every
 * module's tests (this module's test-jar). Not thread-safe.
 */
public final class RawHttpConnection implements AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Long enough for a response from a service starved of CPU by a load test. */
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects to the port on 127.0.0.1.
     *
     * @param port the port
     * @return the connection
     * @throws java.net.ConnectException when nothing listens there
     * @throws IOException               when the connection cannot be made
     */
    public static RawHttpConnection open(int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) CONNECT_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            return new RawHttpConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends a keep-alive GET without waiting for its response.
     *
     * @param path the path
     * @throws IOException when it cannot be sent
     */
    public void send(String path) throws IOException {
        sendRaw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }

    /**
     * Sends a request written out in full, without waiting for its response.
     *
     * @param request the request's bytes, as ASCII
     * @throws IOException when it cannot be sent
     */
    public void sendRaw(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Sends a keep-alive GET and reads its response.
     *
     * @param path the path
     * @return the response
     * @throws IOException when it cannot be sent or the response does not arrive whole
     */
    public Response get(String path) throws IOException {
        send(path);
        return read();
    }

    /**
     * Sends a GET that asks the server to close the connection after its response, and reads the response.
     *
     * @param path the path
     * @return the response
     * @throws IOException when it cannot be sent or the response does not arrive whole
     */
    public Response getAndClose(String path) throws IOException {
        sendRaw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        return read();
    }

    /**
     * Sends a keep-alive POST of a JSON body and reads its response.
     *
     * @param path the path
     * @param json the body
     * @return the response
     * @throws IOException when it cannot be sent or the response does not arrive whole
     */
    public Response post(String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return read();
    }

    /**
     * Reads one complete response.
     *
     * @return the response
     * @throws EOFException if the connection ends before the response is complete
     * @throws IOException  if the body is not a {@code Content-Length} one, or reading fails
     */
    public Response read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new EOFException("The connection ended before a response arrived");
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String header;
        while ((header = line()) != null && !header.isEmpty()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
        if (header == null) {
            throw new EOFException("The connection ended inside the headers of: " + statusLine);
        }
        if (headers.containsKey("Transfer-Encoding")) {
            throw new IOException("Expected a Content-Length body, got Transfer-Encoding "
                                          + headers.get("Transfer-Encoding"));
        }
        int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("The connection ended inside the body: " + body.length + " of " + length + " bytes");
        }
        return new Response(Integer.parseInt(statusLine.split(" ")[1]), headers,
                            new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Reads one byte, waiting as long as the read timeout allows.
     *
     * @return {@code true} if the server closed the connection (end of stream), {@code false} if a byte arrived
     * @throws IOException when the connection was reset, or nothing came within the read timeout
     */
    public boolean isClosedByServer() throws IOException {
        return in.read() == -1;
    }

    /**
     * Waits for the server to close the connection with nothing more sent.
     *
     * @param timeout how long to wait
     * @return {@code true} on a clean end of stream (FIN); {@code false} if nothing happened within the timeout
     * @throws IOException if bytes arrived instead, or the connection was reset
     */
    public boolean awaitEndOfStream(Duration timeout) throws IOException {
        Duration before = readTimeout();
        readTimeout(timeout);
        try {
            int b = in.read();
            if (b != -1) {
                throw new IOException("Expected the server to close the connection, but it sent byte " + b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            readTimeout(before);
        }
    }

    /**
     * Sets how long a read waits before it fails with a {@link SocketTimeoutException}.
     *
     * @param timeout the wait; {@link Duration#ZERO} waits for ever
     * @throws IOException when the socket refuses it
     */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    private Duration readTimeout() throws IOException {
        return Duration.ofMillis(socket.getSoTimeout());
    }

    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        if (buf.size() > 0) {
            throw new EOFException("The connection ended inside a line: " + buf.toString(StandardCharsets.US_ASCII));
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * A response: status, headers (names case-insensitive) and body.
     *
     * @param status  the status code
     * @param headers the headers
     * @param body    the body
     */
    public record Response(int status, Map<String, String> headers, String body) {

        /**
         * Returns whether the server announced it closes the connection: {@code close} among the tokens of its
         * {@code Connection} header.
         *
         * @return {@code true} when the connection ends after this response
         */
        public boolean closesConnection() {
            return Arrays.stream(headers.getOrDefault("Connection", "").split(","))
                    .anyMatch(token -> token.strip().equalsIgnoreCase("close"));
        }
    }
}
