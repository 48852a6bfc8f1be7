package dev.junction.cli;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a lab keeps its files, all under one data directory ({@code $JUNCTION_HOME}, default
 * {@code ~/.junction}): {@code kubeconfig}, {@code lab.json} (topology and supervisor PID),
 * {@code apiserver/state.db}, {@code nodes/<node>/}, {@code logs/<component>.log},
 * {@code run/<component>.pid} and {@code run/apiserver.sock}.
 *
 * @param home the data directory
 */
public record LabPaths(Path home) {

    public LabPaths {
        Objects.requireNonNull(home, "home");
        home = home.toAbsolutePath().normalize();
    }

    /** {@code $JUNCTION_HOME}, else {@code ~/.junction}. */
    public static LabPaths fromEnvironment() {
        String env = System.getenv("JUNCTION_HOME");
        return new LabPaths(env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".junction"));
    }

    public Path kubeconfig() {
        return home.resolve("kubeconfig");
    }

    public Path state() {
        return home.resolve("lab.json");
    }

    public Path apiserverData() {
        return home.resolve("apiserver");
    }

    public Path node(String name) {
        return home.resolve("nodes").resolve(name);
    }

    public Path logs() {
        return home.resolve("logs");
    }

    public Path log(String component) {
        return logs().resolve(component + ".log");
    }

    public Path run() {
        return home.resolve("run");
    }

    public Path pidFile(String component) {
        return run().resolve(component + ".pid");
    }

    public Path apiSocket() {
        return run().resolve("apiserver.sock");
    }

    /** The Unix socket of API server {@code index} (0: {@link #apiSocket()}, 1: {@code apiserver-2.sock}). */
    public Path apiSocket(int index) {
        return index == 0 ? apiSocket() : run().resolve("apiserver-" + (index + 1) + ".sock");
    }

    /** The etcd member's data directory (storage backend etcd3). */
    public Path etcdData() {
        return home.resolve("etcd");
    }

    /** The lab's PKI and credentials: cluster CA, API serving certificate, token file, per-component kubeconfigs. */
    public Path pki() {
        return home.resolve("pki");
    }

    /** The kubeconfig a lab component (controllers, node-&lt;name&gt;, coredns, ingress) connects with. */
    public Path componentKubeconfig(String component) {
        return pki().resolve(component + ".kubeconfig");
    }

    /** Directory of class-data-sharing archives that make the lab's many JVMs start faster. */
    public Path cds() {
        return home.resolve("cds");
    }
}
