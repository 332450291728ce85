package dev.graceful.helidon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.helidon.webserver.WebServer;

/**
 * Finds the threads that accept a server's connections, so that the {@code listener} participant can wait until
 * each has left {@code accept()}. Helidon 4.5.0 has no API for it; this class, like {@link GoAway}, relies on an
 * internal: {@code ServerListener} names its platform accept thread {@code server-<socket>-listener}.
 * {@code ListenerThreadsTest} pins it: it fails on a Helidon version that names them otherwise. If none is found,
 * the participant does not wait for them (its bound is then zero). Thread-safe.
 */
final class ListenerThreads {

    private ListenerThreads() {
    }

    /**
     * For each socket of the server, every live thread with its listener's name: another server in the same JVM
     * with a socket of the same name has a thread of the same name. Listed from the thread groups, which walks no
     * stack and stops no thread (unlike {@link Thread#getAllStackTraces()}, a safepoint).
     *
     * @param server a Helidon server
     * @return one group of same-named threads per socket that has any
     */
    static List<List<Thread>> of(WebServer server) {
        Set<String> names = new HashSet<>();
        names.add(name(WebServer.DEFAULT_SOCKET_NAME));
        server.prototype().sockets().keySet().forEach(socket -> names.add(name(socket)));
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() + 32];
        int count = root.enumerate(all, true);
        while (count == all.length) {
            // full: some may have been left out
            all = new Thread[all.length * 2];
            count = root.enumerate(all, true);
        }
        Map<String, List<Thread>> byName = new HashMap<>();
        for (int i = 0; i < count; i++) {
            if (names.contains(all[i].getName())) {
                byName.computeIfAbsent(all[i].getName(), n -> new ArrayList<>()).add(all[i]);
            }
        }
        return List.copyOf(byName.values());
    }

    /** The name Helidon gives the accept thread of a socket. */
    static String name(String socket) {
        return "server-" + socket + "-listener";
    }
}
