package dev.graceful.helidon;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.helidon.webserver.WebServer;

/**
 * Stops every listener of a server at the same time. Helidon 4.5.0's {@link WebServer#stop()} stops its listeners one
 * after another, and each listener's stop waits for its own connections to end: with a second socket (an admin port,
 * say), that socket would keep accepting connections until the first one had drained. Helidon has no public API
 * to stop one listener, so this class, like {@link GoAway}, reaches into its internals: the private field
 * {@code listeners} of the server ({@code LoomServer}) and the package-private {@code stop()} of each
 * {@code ServerListener}. Called on threads of their own, those stops close every accepting socket at once and then
 * each waits for its own connections; the server's {@code stop()} afterwards finds them stopped.
 *
 * <p>Self-check: the field and the method are looked up once, when this class is first used
 * ({@link ServerShutdown#configure} does so at startup, only for a server with named sockets). If they are missing or
 * cannot be opened (for example on the module path without {@code --add-opens}), one WARNING is logged and
 * {@link #of} answers nothing: listeners then stop one after another, as Helidon stops them. {@code ListenerStopsTest}
 * pins the Helidon version this works with. Thread-safe.
 */
final class ListenerStops {

    private static final System.Logger LOG = System.getLogger(ListenerStops.class.getName());
    private static final ListenerStops INSTANCE = probe();

    private final Field listeners;
    private final Method stop;
    private final String problem;

    private ListenerStops(Field listeners, Method stop, String problem) {
        this.listeners = listeners;
        this.stop = stop;
        this.problem = problem;
    }

    /**
     * Returns whether listeners can be stopped one by one on this Helidon version.
     *
     * @return {@code true} if the self-check passed
     */
    static boolean isAvailable() {
        return INSTANCE.problem == null;
    }

    /**
     * Returns the stop of each listener of the server.
     *
     * @param server a Helidon server
     * @return one action per listener, or an empty list when the self-check failed
     */
    static List<Runnable> of(WebServer server) {
        if (!isAvailable() || !INSTANCE.listeners.getDeclaringClass().isInstance(server)) {
            return List.of();
        }
        Map<?, ?> byName;
        try {
            byName = (Map<?, ?>) INSTANCE.listeners.get(server);
        } catch (IllegalAccessException e) {
            return List.of();
        }
        List<Runnable> stops = new ArrayList<>();
        for (Object listener : byName.values()) {
            stops.add(() -> INSTANCE.stop(listener));
        }
        return stops;
    }

    private void stop(Object listener) {
        try {
            stop.invoke(listener);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot stop a listener", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("a listener failed to stop", e.getCause());
        }
    }

    private static ListenerStops probe() {
        try {
            Class<?> server = Class.forName("io.helidon.webserver.LoomServer");
            Class<?> listener = Class.forName("io.helidon.webserver.ServerListener");
            Field listeners = server.getDeclaredField("listeners");
            if (!Map.class.isAssignableFrom(listeners.getType())) {
                throw new NoSuchFieldException("LoomServer.listeners is a " + listeners.getType().getName());
            }
            Method stop = listener.getDeclaredMethod("stop");
            listeners.setAccessible(true);
            stop.setAccessible(true);
            return new ListenerStops(listeners, stop, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            String problem = "Helidon's listeners cannot be stopped together (" + e
                    + "); with named sockets, each closes only once the one before it has drained";
            LOG.log(System.Logger.Level.WARNING, problem);
            return new ListenerStops(null, null, problem);
        }
    }
}
