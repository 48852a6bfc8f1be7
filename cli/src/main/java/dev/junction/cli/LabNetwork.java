package dev.junction.cli;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Creates and removes the lab's hosts: netns {@code jn-underlay} with bridge {@code br0}, and for
 * every node and the client host a netns whose {@code eth0} is a veth into that bridge (the role
 * kind's Docker network plays). Nothing is added to the root namespace: every link is created
 * directly inside a lab netns ({@code ip -n}).
 */
public final class LabNetwork {
    private final CommandRunner run;

    public LabNetwork(CommandRunner run) {
        this.run = Objects.requireNonNull(run, "run");
    }

    /**
     * Builds the whole node network.
     *
     * @throws dev.junction.common.CommandFailedException when an {@code ip} command fails
     */
    public void create(LabTopology topology) {
        netns(LabTopology.UNDERLAY);
        run.check("ip", "-n", LabTopology.UNDERLAY, "link", "add", "br0", "type", "bridge");
        run.check("ip", "-n", LabTopology.UNDERLAY, "link", "set", "br0", "up");
        int index = 0;
        for (LabNode node : topology.nodes()) {
            host(node.netns(), node.ip(), index++);
            // Processes in a node's own network (hostNetwork pods, kubelet-like tools) reach ClusterIPs
            // as on kind's nodes, whose default route covers them: the kernel routes a locally
            // generated packet before nat OUTPUT rewrites it (kube-proxy's DNAT / REDIRECT), so the
            // Service CIDR needs a route. It stays inside the node's netns; nothing answers it unproxied.
            run.check("ip", "-n", node.netns(), "route", "add", LabTopology.SERVICE_CIDR, "dev", "eth0", "src", node.ip());
        }
        host(LabTopology.CLIENT, LabTopology.CLIENT_IP, index);
    }

    private void netns(String name) {
        run.check("ip", "netns", "add", name);
        run.check("ip", "-n", name, "link", "set", "lo", "up");
    }

    private void host(String netns, String ip, int index) {
        netns(netns);
        // The veth is born inside the underlay and one end is moved into the host's netns.
        String underSide = "jn-u" + index;
        run.check("ip", "-n", LabTopology.UNDERLAY, "link", "add", underSide, "type", "veth", "peer", "name", "eth0", "netns", netns);
        run.check("ip", "-n", LabTopology.UNDERLAY, "link", "set", underSide, "master", "br0", "up");
        run.check("ip", "-n", netns, "addr", "add", ip + "/" + LabTopology.NODE_NETWORK_BITS, "dev", "eth0");
        run.check("ip", "-n", netns, "link", "set", "eth0", "up");
    }

    /** Waits up to {@code timeoutMs} for every PID in {@code pids} to be gone (signals are asynchronous). */
    static void awaitExit(List<Long> pids, long timeoutMs) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        for (long pid : pids) {
            var handle = ProcessHandle.of(pid);
            while (handle.isPresent() && handle.get().isAlive() && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Names of every lab netns that exists now (prefix {@code jn-}). */
    public List<String> existingNamespaces() {
        CommandResult result = run.run("ip", "netns", "list");
        List<String> names = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            String name = line.strip().split("\\s+")[0];
            if (name.startsWith(LabTopology.PREFIX)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Kills every process inside every lab netns (by PID, from {@code ip netns pids}) and deletes
     * the namespaces, pod namespaces included; their links and netfilter rules go with them.
     * Idempotent.
     *
     * @return the namespaces that were deleted
     */
    public List<String> destroyAll() {
        List<String> names = existingNamespaces();
        List<Long> killed = new ArrayList<>();
        for (String name : names) {
            for (String pid : run.run("ip", "netns", "pids", name).stdout().split("\\s+")) {
                if (!pid.isBlank()) {
                    run.run("kill", "-9", pid.strip());
                    killed.add(Long.parseLong(pid.strip()));
                }
            }
        }
        awaitExit(killed, 10_000);
        for (String name : names) {
            run.run("ip", "netns", "del", name);
        }
        return names;
    }
}
