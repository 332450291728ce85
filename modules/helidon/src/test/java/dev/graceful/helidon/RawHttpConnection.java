package dev.graceful.helidon;

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
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 connection to 127.0.0.1 over a plain socket, so a test sees exactly which request got which response
 * on which connection, and whether the server then closed the connection. Understands {@code Content-Length} bodies
 * only, which is all the test routes send. Not thread-safe.
 */
final class RawHttpConnection implements AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

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
     * @throws java.net.ConnectException when nothing listens there
     */
    static RawHttpConnection open(int port) throws IOException {
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

    /** Sends a keep-alive GET without waiting for its response. */
    void send(String path) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Sends a request written out in full, without waiting for its response. */
    void sendRaw(String request) throws IOException {
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Sends a GET and reads its response. */
    Response get(String path) throws IOException {
        send(path);
        return read();
    }

    /**
     * Reads one complete response.
     *
     * @throws EOFException if the connection ends before the response is complete
     */
    Response read() throws IOException {
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
     * Waits for the server to close the connection with nothing more sent.
     *
     * @return {@code true} on a clean end of stream (FIN); {@code false} if nothing happened within the timeout
     * @throws IOException if bytes arrived instead, or the connection was reset
     */
    boolean awaitEndOfStream(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            int b = in.read();
            if (b != -1) {
                throw new IOException("Expected the server to close the connection, but it sent byte " + b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        }
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

    /** A response: status, headers (names case-insensitive) and body. */
    record Response(int status, Map<String, String> headers, String body) {

        /** Returns whether the server announced it closes the connection. */
        boolean closesConnection() {
            return headers.getOrDefault("Connection", "").toLowerCase(Locale.ROOT).equals("close");
        }
    }
}
