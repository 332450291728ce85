package dev.graceful.launcher;

import java.util.Optional;

/**
 * The command line of a service run by {@link GracefulServer#run}.
 *
 * @param configFile the {@code --config} argument
 * @param printPlan  {@code table} or {@code json} for {@code --print-plan}; empty to serve
 * @param help       {@code --help} was given
 */
record CommandLine(Optional<String> configFile, Optional<String> printPlan, boolean help) {

    static final String USAGE = "usage: [--config PATH] [--print-plan[=json]]";

    /**
     * Parses the arguments.
     *
     * @throws IllegalArgumentException naming the first argument that is not understood
     */
    static CommandLine parse(String... args) {
        Optional<String> configFile = Optional.empty();
        Optional<String> printPlan = Optional.empty();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config") && i + 1 < args.length) {
                configFile = Optional.of(args[++i]);
            } else if (a.startsWith("--config=")) {
                configFile = Optional.of(a.substring("--config=".length()));
            } else if (a.equals("--print-plan") || a.equals("--print-plan=table")) {
                printPlan = Optional.of("table");
            } else if (a.equals("--print-plan=json")) {
                printPlan = Optional.of("json");
            } else if (a.equals("--help") || a.equals("-h")) {
                help = true;
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'; " + USAGE);
            }
        }
        return new CommandLine(configFile, printPlan, help);
    }
}
