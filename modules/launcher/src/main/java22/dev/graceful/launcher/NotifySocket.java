package dev.graceful.launcher;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Sends one datagram to the service manager's notification socket ({@code NOTIFY_SOCKET}, a path or, with a leading
 * {@code @}, a name in the abstract namespace), through libc's {@code socket}, {@code sendto} and {@code close}:
 * {@code java.nio} has no Unix datagram socket. Java 22+; the Java 21 version of this class sends nothing.
 */
final class NotifySocket {

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** {@code sizeof(struct sockaddr_un)} on Linux: a 2-byte family and 108 bytes of path. */
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final int PATH_MAX = 108;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDTO = handle("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));

    private NotifySocket() {
    }

    /**
     * Sends the message.
     *
     * @param socket  the socket's address, as in {@code NOTIFY_SOCKET}
     * @param message newline-separated {@code KEY=value} lines
     * @return whether it was sent
     */
    static boolean send(String socket, String message) {
        if (SOCKET == null || SENDTO == null || CLOSE == null) {
            return false;
        }
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        boolean isAbstract = socket.startsWith("@");
        if (path.length == 0 || path.length >= PATH_MAX) {
            System.err.println("graceful: NOTIFY_SOCKET '" + socket + "' is not a usable socket address");
            return false;
        }
        byte[] data = message.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(path, 0, address, ValueLayout.JAVA_BYTE, 2, path.length);
            if (isAbstract) {
                // the abstract namespace: a NUL where the path would start, and no terminating NUL
                address.set(ValueLayout.JAVA_BYTE, 2, (byte) 0);
            }
            int length = 2 + path.length + (isAbstract ? 0 : 1);
            MemorySegment buffer = arena.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buffer, ValueLayout.JAVA_BYTE, 0, data.length);
            int fd = (int) SOCKET.invokeExact(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                return false;
            }
            try {
                long sent = (long) SENDTO.invokeExact(fd, buffer, (long) data.length, 0, address, length);
                return sent == data.length;
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (Throwable t) {
            System.err.println("graceful: could not notify the service manager at " + socket + ": " + t);
            return false;
        }
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LIBC.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor)).orElse(null);
    }

    /**
     * Links the socket calls now (this class's initialisation does): a run that records a class cache calls it, so
     * that a service under systemd finds what linking needs in the cache before its first notification.
     */
    static void link() {
        // initialising the class has linked socket, sendto and close
    }
}
