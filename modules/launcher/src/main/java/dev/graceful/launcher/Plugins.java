package dev.graceful.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The plugin directory: every {@code *.jar} in it is added to the class path that participants are discovered on,
 * so a plugin is installed by dropping its jar there, with no change to the application.
 */
final class Plugins {

    private Plugins() {
    }

    /** A class loader over the jars in {@code dir}, or the application's own when there is no such directory. */
    static ClassLoader loader(Path dir) {
        ClassLoader parent = GracefulServer.class.getClassLoader();
        if (!Files.isDirectory(dir)) {
            return parent;
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(dir)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugin directory " + dir.toAbsolutePath(), e);
        }
        if (jars.isEmpty()) {
            return parent;
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException("bad plugin path " + jars.get(i), e);
            }
        }
        return new URLClassLoader("graceful-plugins", urls, parent);
    }
}
