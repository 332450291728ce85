package dev.graceful.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import dev.graceful.Durations;
import dev.graceful.ShutdownConfig;
import dev.graceful.ShutdownConfigException;

import org.yaml.snakeyaml.Yaml;

/**
 * Reads the Kubernetes manifests and the application.yaml they carry, and lists every way the shutdown does not
 * fit the pod's termination rules.
 */
final class KubernetesManifests {

    /** Margin the manifests promise between the deadline and terminationGracePeriodSeconds. */
    static final Duration MARGIN = Duration.ofSeconds(5);

    private final List<Map<String, Object>> documents;

    private KubernetesManifests(List<Map<String, Object>> documents) {
        this.documents = documents;
    }

    static KubernetesManifests read(Path dir) throws IOException {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                texts.add(Files.readString(f));
            }
        }
        return parse(texts);
    }

    @SuppressWarnings("unchecked")
    static KubernetesManifests parse(List<String> texts) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String text : texts) {
            for (Object doc : new Yaml().loadAll(text)) {
                if (doc instanceof Map<?, ?> m) {
                    docs.add((Map<String, Object>) m);
                }
            }
        }
        return new KubernetesManifests(docs);
    }

    /** Every problem found; empty when the shutdown fits. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        Map<String, Object> deployment = kind("Deployment");
        Map<String, Object> configMap = kind("ConfigMap");
        if (deployment == null || configMap == null) {
            problems.add("expected a Deployment and a ConfigMap");
            return problems;
        }
        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
        Object graceValue = pod.getOrDefault("terminationGracePeriodSeconds", 30);
        Duration grace = Duration.ofSeconds(((Number) graceValue).longValue());
        Map<String, Object> container = list(pod, "containers").getFirst();
        Map<String, String> env = new TreeMap<>();
        for (Map<String, Object> e : list(container, "env")) {
            env.put(String.valueOf(e.get("name")), String.valueOf(e.get("value")));
        }
        if (container.containsKey("lifecycle")) {
            problems.add("a preStop hook is not needed (the service serves through its readiness delay) and its "
                                 + "time would count against terminationGracePeriodSeconds");
        }
        String readiness = String.valueOf(map(map(container, "readinessProbe"), "httpGet").get("path"));
        if (!readiness.equals("/observe/health/ready")) {
            problems.add("readinessProbe must use /observe/health/ready, not " + readiness);
        }
        String liveness = String.valueOf(map(map(container, "livenessProbe"), "httpGet").get("path"));
        if (!liveness.equals("/observe/health/live")) {
            problems.add("livenessProbe must use /observe/health/live, not " + liveness);
        }
        Map<String, String> flat = new TreeMap<>();
        Object app = new Yaml().load(String.valueOf(map(configMap, "data").get("application.yaml")));
        flatten("", app, flat);
        String envGrace = env.get("SHUTDOWN_GRACE_dash_PERIOD");
        if (envGrace != null) {
            flat.put(ShutdownConfig.GRACE_PERIOD, envGrace);
            if (!Durations.parse(envGrace).equals(grace)) {
                problems.add("SHUTDOWN_GRACE_dash_PERIOD (" + envGrace + ") differs from terminationGracePeriodSeconds ("
                                     + grace.toSeconds() + ")");
            }
        } else {
            problems.add("SHUTDOWN_GRACE_dash_PERIOD is not set, so the service cannot check its deadline "
                                 + "against terminationGracePeriodSeconds");
        }
        ShutdownConfig config;
        try {
            config = ShutdownConfig.fromProperties(flat);
        } catch (ShutdownConfigException e) {
            problems.add("application.yaml does not start: " + e.getMessage());
            return problems;
        }
        if (config.deadline().plus(MARGIN).compareTo(grace) > 0) {
            problems.add("shutdown.deadline " + Durations.format(config.deadline()) + " + margin "
                                 + Durations.format(MARGIN) + " exceeds terminationGracePeriodSeconds "
                                 + grace.toSeconds() + ": the kubelet would SIGKILL the pod mid-shutdown");
        }
        return problems;
    }

    private Map<String, Object> kind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.get("kind"))).findFirst().orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        Object v = m == null ? null : m.get(key);
        return v instanceof Map<?, ?> ? (Map<String, Object>) v : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof List<?> ? (List<Map<String, Object>>) v : List.of();
    }

    private static void flatten(String prefix, Object node, Map<String, String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, out));
        } else if (node != null) {
            out.put(prefix, String.valueOf(node));
        }
    }
}
