package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs commands "on the node": as they are when the agent already lives in the node's network
 * namespace (the lab, {@code nodeNetns} empty), or wrapped as {@code ip netns exec <nodeNetns> …}
 * / {@code ip -n <nodeNetns> …} when a test plays the node with a namespace of its own.
 */
public final class NodeExec {
    private final CommandRunner runner;
    private final Optional<String> nodeNetns;

    /**
     * @param runner    executes every command
     * @param nodeNetns the namespace acting as the node, or empty for the current one
     */
    public NodeExec(CommandRunner runner, Optional<String> nodeNetns) {
        this.runner = requireNonNull(runner, "runner");
        this.nodeNetns = requireNonNull(nodeNetns, "nodeNetns");
    }

    /** The underlying runner. */
    public CommandRunner runner() {
        return runner;
    }

    /** The namespace acting as the node, or empty when that is the current namespace. */
    public Optional<String> nodeNetns() {
        return nodeNetns;
    }

    /** {@code argv}, prefixed with {@code ip netns exec <nodeNetns>} when a node namespace is set. */
    public List<String> wrap(List<String> argv) {
        requireNonNull(argv, "argv");
        if (nodeNetns.isEmpty()) {
            return List.copyOf(argv);
        }
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", nodeNetns.get()));
        out.addAll(argv);
        return out;
    }

    /** Runs {@code argv} on the node with the given time limit; the exit code is not checked. */
    public CommandResult run(List<String> argv, Duration timeout) {
        return runner.run(wrap(argv), "", timeout);
    }

    /** Runs {@code argv} on the node; the exit code is not checked. */
    public CommandResult run(String... argv) {
        return run(List.of(argv), CommandRunner.DEFAULT_TIMEOUT);
    }

    /** Runs {@code ip [-n nodeNetns] args…} on the node; the exit code is not checked. */
    public CommandResult ip(String... args) {
        List<String> argv = new ArrayList<>(List.of("ip"));
        nodeNetns.ifPresent(ns -> argv.addAll(List.of("-n", ns)));
        argv.addAll(List.of(args));
        return runner.run(argv);
    }

    /** Runs {@code ip -n <netns> args…} (any namespace, e.g. a pod's); the exit code is not checked. */
    public CommandResult ipIn(String netns, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "-n", netns));
        argv.addAll(List.of(args));
        return runner.run(argv);
    }
}
