package dev.graceful.launcher;

/**
 * Sends one datagram to the service manager's notification socket ({@code NOTIFY_SOCKET}, a path or, with a leading
 * {@code @}, a name in the abstract namespace). {@code java.nio} has no Unix datagram socket; the Java 22+ version of
 * this class (in the jar's {@code META-INF/versions/22}) sends through the Foreign Function API. This one, for Java 21,
 * sends nothing and says so once.
 */
final class NotifySocket {

    private static volatile boolean told;

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
        if (!told) {
            told = true;
            System.err.println("graceful: NOTIFY_SOCKET is set, but telling the service manager needs Java 22 or "
                    + "newer (this is Java " + Runtime.version().feature() + "); use Type=simple with PIDFile=");
        }
        return false;
    }

    /** Links what sending needs ahead of time; nothing to link on Java 21. */
    static void link() {
        // nothing: send() cannot on this Java
    }
}
