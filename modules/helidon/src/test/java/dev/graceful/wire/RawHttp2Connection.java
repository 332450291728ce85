package dev.graceful.wire;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/2 client with prior knowledge over one socket, so that tests see the frames themselves: the GOAWAY,
 * its last-stream id and error code, and which response frames came before and after it. Requests are GETs without a
 * body; header blocks are written as HPACK literals without Huffman coding. It acknowledges the server's SETTINGS and
 * PINGs by itself.
 */
public final class RawHttp2Connection implements AutoCloseable {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int RST_STREAM = 0x3;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int WINDOW_UPDATE = 0x8;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int END_STREAM = 0x1;
    private static final int ACK = 0x1;
    private static final int END_HEADERS = 0x4;
    /** HPACK static table entries 8 to 14 (RFC 7541, appendix A). */
    private static final int[] STATIC_STATUS = {200, 204, 206, 304, 400, 404, 500};

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawHttp2Connection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects, sends the preface and an empty SETTINGS frame. */
    public static RawHttp2Connection connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(30_000);
        RawHttp2Connection c = new RawHttp2Connection(s);
        synchronized (c.out) {
            c.out.write(PREFACE);
            c.writeFrame(SETTINGS, 0, 0, new byte[0]);
        }
        return c;
    }

    /** Opens a stream with a GET of {@code path}, with END_STREAM. */
    public void get(int streamId, String path) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82); // :method GET (static 2)
        block.write(0x86); // :scheme http (static 6)
        literal(block, 0x04, path); // :path, name from static 4, without indexing
        literal(block, 0x01, "127.0.0.1"); // :authority, name from static 1
        writeFrame(HEADERS, END_STREAM | END_HEADERS, streamId, block.toByteArray());
    }

    /**
     * Raises the connection's flow-control window to its largest, so that a long run of responses never waits for a
     * WINDOW_UPDATE (each stream has its own 65,535 bytes, plenty for small responses).
     */
    public void raiseConnectionWindow() throws IOException {
        int increment = Integer.MAX_VALUE - 65_535;
        writeFrame(WINDOW_UPDATE, 0, 0, new byte[] {
                (byte) (increment >>> 24), (byte) (increment >>> 16), (byte) (increment >>> 8), (byte) increment});
    }

    /** Reads the next frame other than SETTINGS and PING (which it acknowledges); {@code null} at end of stream. */
    public Frame read() throws IOException {
        while (true) {
            int length;
            try {
                length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
            } catch (EOFException e) {
                return null;
            }
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int streamId = in.readInt() & 0x7FFFFFFF;
            byte[] payload = in.readNBytes(length);
            if (payload.length < length) {
                throw new EOFException("connection closed inside a frame: " + payload.length + " of " + length);
            }
            Frame f = new Frame(type, flags, streamId, payload, System.nanoTime());
            if (type == SETTINGS) {
                if ((flags & ACK) == 0) {
                    writeFrame(SETTINGS, ACK, 0, new byte[0]);
                }
                continue;
            }
            if (type == PING) {
                if ((flags & ACK) == 0) {
                    writeFrame(PING, ACK, 0, payload);
                }
                continue;
            }
            return f;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void writeFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
        byte[] header = {
                (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                (byte) type, (byte) flags,
                (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId};
        synchronized (out) {
            out.write(header);
            out.write(payload);
            out.flush();
        }
    }

    private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if (v.length > 126) {
            throw new IllegalArgumentException("header value too long for this client: " + value);
        }
        block.write(nameIndex);
        block.write(v.length);
        block.write(v, 0, v.length);
    }

    /**
     * One frame as received.
     *
     * @param type     the frame type
     * @param flags    its flags
     * @param streamId its stream
     * @param payload  its payload
     * @param atNanos  {@link System#nanoTime()} when it was read
     */
    public record Frame(int type, int flags, int streamId, byte[] payload, long atNanos) {

        public boolean endStream() {
            return (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0;
        }

        /** The last-stream id of a GOAWAY. */
        public int lastStreamId() {
            return int32(0) & 0x7FFFFFFF;
        }

        /** The error code of a GOAWAY (0 is NO_ERROR) or RST_STREAM. */
        public int errorCode() {
            return type == GOAWAY ? int32(4) : int32(0);
        }

        /**
         * The {@code :status} of a HEADERS frame, when the server sent it first and indexed (as it does for 200, 204,
         * 206, 304, 400, 404 and 500) or as a literal without Huffman coding; else -1.
         */
        public int status() {
            if (type != HEADERS || payload.length == 0) {
                return -1;
            }
            int b = payload[0] & 0xFF;
            if ((b & 0x80) != 0) {
                int index = b & 0x7F;
                return index >= 8 && index <= 14 ? STATIC_STATUS[index - 8] : -1;
            }
            int nameIndex = (b & 0x40) != 0 ? b & 0x3F : b & 0x0F;
            if (nameIndex < 8 || nameIndex > 14 || payload.length < 5 || (payload[1] & 0x80) != 0) {
                return -1;
            }
            return Integer.parseInt(new String(payload, 2, payload[1], StandardCharsets.US_ASCII));
        }

        public String text() {
            if (type == GOAWAY) {
                return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
            }
            return new String(payload, StandardCharsets.UTF_8);
        }

        private int int32(int at) {
            return ((payload[at] & 0xFF) << 24) | ((payload[at + 1] & 0xFF) << 16) | ((payload[at + 2] & 0xFF) << 8)
                    | (payload[at + 3] & 0xFF);
        }

        @Override
        public String toString() {
            return switch (type) {
            case GOAWAY -> "GOAWAY(last-stream " + lastStreamId() + ", error " + errorCode() + ", '" + text() + "')";
            case HEADERS -> "HEADERS(stream " + streamId + ", status " + status() + (endStream() ? ", END_STREAM)" : ")");
            case DATA -> "DATA(stream " + streamId + ", " + payload.length + " bytes" + (endStream() ? ", END_STREAM)" : ")");
            case RST_STREAM -> "RST_STREAM(stream " + streamId + ", error " + errorCode() + ")";
            default -> "frame(type " + type + ", stream " + streamId + ")";
            };
        }
    }
}
