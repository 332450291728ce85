package dev.graceful.app;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A server-sent events client over one HTTP/1.1 socket that decodes the chunked body itself, so that a test can tell
 * a clean end of stream (the last chunk) from a cut connection.
 */
final class SseClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, String> headers;
    private int chunkLeft;
    private boolean ended;

    private SseClient(Socket socket, InputStream in, int status, Map<String, String> headers) {
        this.socket = socket;
        this.in = in;
        this.status = status;
        this.headers = headers;
    }

    /** Sends {@code GET path} with {@code Accept: text/event-stream} and reads the status line and headers. */
    static SseClient open(int port, String path) throws IOException {
        return open(port, path, "");
    }

    /** As {@link #open(int, String)}, with extra header lines, each ending in CRLF. */
    static SseClient open(int port, String path, String extraHeaders) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(30_000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                                           + extraHeaders + "\r\n")
                                          .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        String statusLine = line(in);
        if (statusLine == null) {
            s.close();
            throw new EOFException("connection closed before a response");
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
        }
        return new SseClient(s, in, Integer.parseInt(statusLine.split(" ")[1]), headers);
    }

    int status() {
        return status;
    }

    String header(String name) {
        return headers.get(name);
    }

    /**
     * Reads the next block of the stream: its lines up to the blank line that ends an event or a comment.
     *
     * @return the lines, or {@code null} once the server has ended the stream cleanly (the last chunk)
     * @throws EOFException if the connection ends without the last chunk
     */
    List<String> next() throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            int b = bodyByte();
            if (b == -1) {
                if (lines.isEmpty() && buf.size() == 0) {
                    return null;
                }
                throw new EOFException("stream ended inside an event: " + lines);
            }
            if (b == '\n') {
                String l = buf.toString(StandardCharsets.UTF_8);
                buf.reset();
                if (l.isEmpty()) {
                    return lines;
                }
                lines.add(l);
            } else {
                buf.write(b);
            }
        }
    }

    /** Reads a body that has a {@code Content-Length} (a refusal). */
    String body() throws IOException {
        int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** Returns true if the server closed the connection (EOF), false if data arrived. */
    boolean isClosedByServer() throws IOException {
        return in.read() == -1;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private int bodyByte() throws IOException {
        if (ended) {
            return -1;
        }
        if (chunkLeft == 0) {
            String size = line(in);
            if (size == null) {
                throw new EOFException("connection closed without the last chunk");
            }
            if (size.isEmpty()) {
                // the CRLF after the previous chunk's data
                size = line(in);
                if (size == null) {
                    throw new EOFException("connection closed without the last chunk");
                }
            }
            chunkLeft = Integer.parseInt(size.split(";")[0].strip(), 16);
            if (chunkLeft == 0) {
                String trailer;
                while ((trailer = line(in)) != null && !trailer.isEmpty()) {
                    // trailers are not used here
                }
                ended = true;
                return -1;
            }
        }
        int b = in.read();
        if (b == -1) {
            throw new EOFException("connection closed inside a chunk");
        }
        chunkLeft--;
        return b;
    }

    private static String line(InputStream in) throws IOException {
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
            throw new EOFException("connection closed inside a line");
        }
        return null;
    }
}
