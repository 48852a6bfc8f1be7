package dev.junction.cli;

import java.util.List;

/**
 * One long-running lab process the supervisor keeps alive.
 *
 * @param name component name, used for its log and PID files (e.g. {@code apiserver},
 *             {@code node-jn-node-a})
 * @param argv full command line
 */
public record Component(String name, List<String> argv) {
    public Component {
        argv = List.copyOf(argv);
    }
}
