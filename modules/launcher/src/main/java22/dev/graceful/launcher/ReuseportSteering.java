package dev.graceful.launcher;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Steers the new connections of a port's {@code SO_REUSEPORT} group to this process's listener, so that a restart's
 * hand-over loses nothing queued in the kernel: the old process's listener gets no new connection, accepts what its
 * queue holds during the hand-over delay, and closes with an empty queue. Linux only.
 *
 * <p>How: the listener's file descriptor is found by matching the inodes of {@code /proc/self/fd/*} with the LISTEN
 * entries of the port in {@code /proc/net/tcp} and {@code /proc/net/tcp6}; then {@code setsockopt(SO_ATTACH_REUSEPORT_CBPF)}
 * attaches a one-instruction classic-BPF program, {@code ret #i}, to the group, where {@code i} is this listener's
 * index in it. The kernel keeps a group's sockets in the order they started listening, so the newest listener, this
 * one, is the last: {@code i} is the number of the group's listeners less one. When the old listener closes, the
 * kernel moves the last socket into its slot; {@code i} is then out of range, and for an index out of range the kernel
 * falls back to its hash over the sockets left, which is this one alone. The next restart attaches its own program,
 * which replaces this one.
 */
final class ReuseportSteering {

    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_REUSEPORT_CBPF = 51;
    private static final short BPF_RET_K = 0x06;
    private static final String LISTEN = "0A";

    private ReuseportSteering() {
    }

    /**
     * Steers every new connection of the ports to this process's listeners.
     *
     * @param ports the listening ports of this process
     * @return {@code null} when steered, else why not
     */
    static String steer(List<Integer> ports) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "not Linux";
        }
        try {
            Map<Long, Integer> ownSockets = ownSocketFds();
            for (int port : ports) {
                List<Long> group = listeners(port);
                Integer fd = null;
                for (long inode : group) {
                    fd = ownSockets.get(inode);
                    if (fd != null) {
                        break;
                    }
                }
                if (fd == null) {
                    return "no listener of this process on port " + port + " in /proc/net/tcp";
                }
                int rc = attach(fd, group.size() - 1);
                if (rc != 0) {
                    return "setsockopt(SO_ATTACH_REUSEPORT_CBPF) on port " + port + " failed (" + rc + ")";
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return e.toString();
        } catch (Throwable t) {
            return "the Foreign Function API refused: " + t;
        }
    }

    /** The LISTEN sockets of a port, by inode, of every process of this network namespace. */
    private static List<Long> listeners(int port) throws IOException {
        List<Long> inodes = new ArrayList<>();
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.isReadable(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // a busy host lists thousands of connections: split only the lines that name the port
                if (!line.contains(hexPort)) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals(LISTEN)) {
                    inodes.add(Long.parseLong(f[9]));
                }
            }
        }
        return inodes;
    }

    /** This process's socket file descriptors, by inode. */
    private static Map<Long, Integer> ownSocketFds() throws IOException {
        Map<Long, Integer> fds = new HashMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : dir) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        fds.put(Long.parseLong(target.substring(8, target.length() - 1)),
                                Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile, or not a socket
                }
            }
        }
        return fds;
    }

    /**
     * Links {@code setsockopt} and runs the whole attach path once on no socket ({@code fd} -1, which the kernel
     * refuses with {@code EBADF} before it reads anything; {@code /proc/net/tcp} is not read here, a busy host lists
     * tens of thousands of connections there): a run that records a class cache does, so that a restarted
     * copy finds what linking needs in the cache, and a copy does on a thread of its own while its server is being
     * built, so that its steering, just before it says it is ready, runs warm (cold, it took 30 to 40 ms of the
     * hand-over).
     */
    static void link() {
        try {
            attach(-1, 0);
        } catch (Throwable e) {
            // the copy's own steer() says why, if it comes to that
        }
    }

    private static int attach(int fd, int index) throws Throwable {
        MethodHandle setsockopt = Linked.setsockopt();
        try (Arena arena = Arena.ofConfined()) {
            // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }: ret #index
            MemorySegment filter = arena.allocate(8, 8);
            filter.set(ValueLayout.JAVA_SHORT, 0, BPF_RET_K);
            filter.set(ValueLayout.JAVA_INT, 4, index);
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            MemorySegment program = arena.allocate(16, 8);
            program.set(ValueLayout.JAVA_SHORT, 0, (short) 1);
            program.set(ValueLayout.ADDRESS, 8, filter);
            return (int) setsockopt.invokeExact(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, program, (int) program.byteSize());
        }
    }

    /** {@code setsockopt}, linked once. */
    private static final class Linked {
        private static MethodHandle handle;

        private Linked() {
        }

        static synchronized MethodHandle setsockopt() {
            if (handle == null) {
                Linker linker = Linker.nativeLinker();
                handle = linker.downcallHandle(
                        linker.defaultLookup().find("setsockopt").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                              ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            }
            return handle;
        }
    }
}
