package dev.graceful.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import dev.graceful.ShutdownCoordinator;
import dev.graceful.spi.ShutdownParticipant;

/**
 * Checks that a participant class can be found and instantiated by {@link ServiceLoader} as the service finds the
 * jars in its {@code plugins/} directory: on the class path, through {@code META-INF/services}, and on the module
 * path, through {@code provides} in its module descriptor.
 */
final class DiscoveryCheck {

    /** The services file that names participant providers. */
    static final String SERVICES_FILE = "META-INF/services/" + ShutdownParticipant.class.getName();

    /** The names the coordinator accepts; the same rule as {@link ShutdownCoordinator}'s. */
    private static final Pattern KEBAB_CASE = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    private DiscoveryCheck() {
    }

    static <T extends ShutdownParticipant> T check(Class<T> type, ClassLoader loader) {
        String className = type.getName();
        checkShape(type);
        checkServicesFile(type, loader);
        moduleDescriptor(type).ifPresent(found -> checkProvides(type, found));
        T participant = load(type, loader);
        String name = participant.name();
        if (name == null || !KEBAB_CASE.matcher(name).matches()) {
            throw new AssertionError("participant " + className + " is named '" + name + "', which is not kebab-case,"
                    + " so the service refuses it; its name is its YAML key under shutdown.participants: return"
                    + " lower-case words joined by '-' from name(), for example '" + kebabCase(name, type) + "'");
        }
        try {
            ShutdownCoordinator.builder().add(participant).build();
        } catch (IllegalArgumentException e) {
            throw new AssertionError("participant '" + name + "' (" + className + ") is found, but the coordinator"
                    + " refuses it: " + e.getMessage(), e);
        }
        return participant;
    }

    private static void checkShape(Class<?> type) {
        String className = type.getName();
        int modifiers = type.getModifiers();
        if (type.isInterface() || Modifier.isAbstract(modifiers)) {
            throw new AssertionError("participant class " + className + " is abstract; ServiceLoader instantiates"
                    + " the class that META-INF/services names, so name a concrete class");
        }
        if (!Modifier.isPublic(modifiers)) {
            throw new AssertionError("participant class " + className + " is not public; ServiceLoader can only"
                    + " instantiate a public class: declare it 'public'");
        }
        if (type.getEnclosingClass() != null && !Modifier.isStatic(modifiers)) {
            throw new AssertionError("participant class " + className + " is an inner class, which ServiceLoader"
                    + " cannot instantiate: make it a static nested class or a top-level one");
        }
        boolean hasConstructor;
        try {
            Constructor<?> c = type.getConstructor();
            hasConstructor = Modifier.isPublic(c.getModifiers());
        } catch (NoSuchMethodException e) {
            hasConstructor = false;
        }
        if (hasConstructor) {
            return;
        }
        boolean hasProviderMethod = providerMethod(type).isPresent();
        if (hasProviderMethod && type.getModule().isNamed()) {
            return;
        }
        throw new AssertionError("participant class " + className + " has no public no-argument constructor, which"
                + " ServiceLoader needs to instantiate a provider named in META-INF/services"
                + (hasProviderMethod ? "; its public static provider() method counts only on the module path, and"
                + " the service loads the jars in plugins/ on the class path" : "")
                + ": add 'public " + type.getSimpleName() + "() { }'");
    }

    private static Optional<Method> providerMethod(Class<?> type) {
        try {
            Method m = type.getMethod("provider");
            return Modifier.isStatic(m.getModifiers()) && ShutdownParticipant.class.isAssignableFrom(m.getReturnType())
                    ? Optional.of(m)
                    : Optional.empty();
        } catch (NoSuchMethodException e) {
            return Optional.empty();
        }
    }

    private static void checkServicesFile(Class<?> type, ClassLoader loader) {
        Map<URL, List<String>> files = servicesFiles(loader);
        boolean listed = files.values().stream().anyMatch(entries -> entries.contains(type.getName()));
        if (listed) {
            return;
        }
        throw new AssertionError("participant class " + type.getName() + " is not listed in " + SERVICES_FILE
                + ", so ServiceLoader does not find it on the class path, where the service loads the jars in"
                + " plugins/: add the line '" + type.getName() + "' to src/main/resources/" + SERVICES_FILE
                + (files.isEmpty()
                ? " (no such file is visible through class loader " + loader + ")"
                : " (the files visible through class loader " + loader + " list " + files + ")"));
    }

    /** Returns each services file visible through the loader, with the class names it lists. */
    private static Map<URL, List<String>> servicesFiles(ClassLoader loader) {
        Map<URL, List<String>> files = new LinkedHashMap<>();
        try {
            for (URL url : Collections.list(loader.getResources(SERVICES_FILE))) {
                List<String> entries = new ArrayList<>();
                try (InputStream in = url.openStream();
                     BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        int comment = line.indexOf('#');
                        String entry = (comment >= 0 ? line.substring(0, comment) : line).strip();
                        if (!entry.isEmpty()) {
                            entries.add(entry);
                        }
                    }
                }
                files.put(url, entries);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SERVICES_FILE + " through class loader " + loader, e);
        }
        return files;
    }

    /** A module descriptor and where it was read from. */
    private record Descriptor(ModuleDescriptor descriptor, String source) {
    }

    /**
     * Returns the descriptor of the participant's module: of the named module it is in, or, for a class on the
     * class path, the {@code module-info.class} next to it, in its directory or jar (the jar's module path form).
     */
    private static Optional<Descriptor> moduleDescriptor(Class<?> type) {
        Module module = type.getModule();
        if (module.isNamed()) {
            return Optional.of(new Descriptor(module.getDescriptor(), "module " + module.getName()));
        }
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
            return Optional.empty();
        }
        Path location;
        try {
            location = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + type.getName() + ": "
                    + source.getLocation(), e);
        }
        try {
            if (Files.isDirectory(location)) {
                Path file = location.resolve("module-info.class");
                if (!Files.isRegularFile(file)) {
                    return Optional.empty();
                }
                try (InputStream in = Files.newInputStream(file)) {
                    return Optional.of(new Descriptor(ModuleDescriptor.read(in), file.toString()));
                }
            }
            try (JarFile jar = new JarFile(location.toFile(), true, ZipFile.OPEN_READ, Runtime.version())) {
                JarEntry entry = jar.getJarEntry("module-info.class");
                if (entry == null) {
                    return Optional.empty();
                }
                try (InputStream in = jar.getInputStream(entry)) {
                    return Optional.of(new Descriptor(ModuleDescriptor.read(in),
                                                      location + "!/" + entry.getRealName()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the module descriptor next to " + type.getName()
                                                   + " in " + location, e);
        }
    }

    private static void checkProvides(Class<?> type, Descriptor found) {
        String service = ShutdownParticipant.class.getName();
        ModuleDescriptor d = found.descriptor();
        boolean provided = d.provides().stream()
                .anyMatch(p -> p.service().equals(service) && p.providers().contains(type.getName()));
        if (!provided) {
            throw new AssertionError("module " + d.name() + " (" + found.source() + ") does not provide " + service
                    + " with " + type.getName() + ", so the participant is not found when its jar is on the module"
                    + " path: add 'provides " + service + " with " + type.getName() + ";' to module-info.java");
        }
    }

    /**
     * Loads every participant provider visible through the loader, as the service does at startup, and returns
     * the instance of {@code type}; fails when any provider cannot be loaded, as startup would.
     */
    private static <T extends ShutdownParticipant> T load(Class<T> type, ClassLoader loader) {
        T mine = null;
        List<ShutdownParticipant> others = new ArrayList<>();
        List<ServiceLoader.Provider<ShutdownParticipant>> providers;
        try {
            providers = ServiceLoader.load(ShutdownParticipant.class, loader).stream().toList();
        } catch (ServiceConfigurationError e) {
            throw new AssertionError("ServiceLoader cannot list the shutdown participants visible through class"
                    + " loader " + loader + ", and the service would refuse to start with them: " + e.getMessage(), e);
        }
        for (ServiceLoader.Provider<ShutdownParticipant> provider : providers) {
            String providerType = provider.type().getName();
            ShutdownParticipant instance;
            try {
                instance = provider.get();
            } catch (ServiceConfigurationError | RuntimeException | ExceptionInInitializerError e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new AssertionError("ServiceLoader could not instantiate " + providerType
                        + (providerType.equals(type.getName()) ? "" : ", another provider visible through the same"
                        + " class loader,") + " and the service would refuse to start: " + cause
                        + "; a participant's constructor should only take in its configuration and do its work in"
                        + " shutdown()", e);
            }
            if (!providerType.equals(type.getName())) {
                others.add(instance);
            } else if (type.isInstance(instance)) {
                mine = type.cast(instance);
            } else {
                throw new AssertionError("ServiceLoader found " + providerType + " through class loader " + loader
                        + ", but not the class given, which another class loader loaded ("
                        + type.getClassLoader() + "): pass the class loader that loaded it");
            }
        }
        if (mine == null) {
            throw new AssertionError("ServiceLoader did not find " + type.getName() + " through class loader "
                    + loader + " although a services file lists it: pass a class loader that can load the class"
                    + " (it found " + providers.stream().map(p -> p.type().getName()).toList() + ")");
        }
        String name = mine.name();
        for (ShutdownParticipant other : others) {
            if (name != null && name.equals(other.name())) {
                throw new AssertionError("participant name '" + name + "' of " + type.getName()
                        + " is also the name of " + other.getClass().getName() + ", found through the same class"
                        + " loader; names are YAML keys under shutdown.participants and must be unique, and the"
                        + " service refuses to start with a duplicate: rename one of them");
            }
        }
        return mine;
    }

    /** Suggests a kebab-case name: from the given one if it has letters, else from the class's simple name. */
    private static String kebabCase(String name, Class<?> type) {
        String base = name == null || name.isBlank() ? type.getSimpleName() : name;
        String kebab = base.replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                .replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^[-0-9]+|-+$", "");
        return kebab.isEmpty() ? "my-participant" : kebab;
    }
}
