package dev.graceful.example;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP endpoint on a loopback port that records each request body, then answers with a fixed status, or never
 * answers. Plain sockets, so the test needs nothing beyond the JDK.
 */
final class FakeEndpoint implements AutoCloseable {

    private final ServerSocket server;
    private final int status;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final CountDownLatch received = new CountDownLatch(1);
    private volatile boolean closed;

    private FakeEndpoint(int status) throws IOException {
        this.status = status;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("fake-endpoint").start(this::accept);
    }

    /** An endpoint that answers every request with {@code status} and an empty body. */
    static FakeEndpoint answering(int status) throws IOException {
        return new FakeEndpoint(status);
    }

    /** An endpoint that reads every request and never answers. */
    static FakeEndpoint hanging() throws IOException {
        return new FakeEndpoint(0);
    }

    URI uri() {
        return URI.create("http://" + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort()
                                  + "/instances/self/stopping");
    }

    List<String> bodies() {
        return List.copyOf(bodies);
    }

    int connections() {
        return connections.size();
    }

    boolean awaitRequest() throws InterruptedException {
        return received.await(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : connections) {
            s.close();
        }
    }

    private void accept() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                throw new UncheckedIOException(e);
            }
            connections.add(socket);
            Thread.ofVirtual().name("fake-endpoint-connection").start(() -> serve(socket));
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            String head = readHead(in);
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).strip());
                }
            }
            bodies.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
            received.countDown();
            if (status == 0) {
                // never answer: wait until the client or the test closes the connection
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            out.write(("HTTP/1.1 " + status + " Fake\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            if (!closed) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside the request head");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
