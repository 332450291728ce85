package dev.graceful.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import dev.graceful.spi.ShutdownParticipant;

/** Builds a plugin jar, as a plugin author's build would: the classes and a {@code META-INF/services} entry. */
final class PluginJar {

    private PluginJar() {
    }

    @SafeVarargs
    static Path build(Path jar, Class<? extends ShutdownParticipant>... participants) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            StringBuilder services = new StringBuilder();
            for (Class<?> c : participants) {
                String resource = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(resource));
                try (InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
                    in.transferTo(out);
                }
                out.closeEntry();
                services.append(c.getName()).append('\n');
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + ShutdownParticipant.class.getName()));
            out.write(services.toString().getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    static Path examplePlugin() {
        return Path.of(System.getProperty("graceful.example-plugin",
                                          "../modules/examples/plugin/target/graceful-example-plugin.jar"));
    }
}
