package dev.graceful.app;

/** Placeholder. */
public final class Main {
    private Main() {
    }

    /**
     * Starts the service.
     *
     * @param args arguments
     */
    public static void main(String[] args) {
    }
}
