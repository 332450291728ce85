package dev.graceful;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects what participants did, from any thread, in the order it happened. */
final class Recorder {

    private final List<String> events = new CopyOnWriteArrayList<>();

    void record(String event) {
        events.add(event);
    }

    List<String> events() {
        return List.copyOf(events);
    }

    int indexOf(String event) {
        int i = events.indexOf(event);
        if (i < 0) {
            throw new AssertionError("'" + event + "' was never recorded; recorded: " + events);
        }
        return i;
    }
}
