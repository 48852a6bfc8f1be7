package dev.junction.cli;

import dev.junction.cni.PodNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code junction exec [-n NS] POD -- CMD…}: runs CMD in the pod's network namespace with the pod's
 * {@code resolv.conf} and {@code hosts} (through {@code ip netns exec}, which bind-mounts
 * {@code /etc/netns/<pod netns>/}) and the container's UTS namespace (its hostname), like
 * {@code kubectl exec}; the exit code passes through.
 * {@code --client} runs it on the lab's outside host instead.
 */
@Command(name = "exec", description = "Run a command in a pod's network namespace (or on the client host).")
public final class ExecCommand implements Callable<Integer> {

    @Option(names = {"-n", "--namespace"}, defaultValue = "default", description = "Pod namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--client", description = "Run on the client host outside the cluster (jn-client).")
    boolean client;

    @Parameters(arity = "1..*", paramLabel = "[POD] CMD", description = "The pod (unless --client), then the command after --.")
    List<String> words = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String netns;
        List<String> command;
        if (client) {
            netns = LabTopology.CLIENT;
            command = words;
        } else {
            if (words.size() < 2) {
                System.err.println("junction exec: usage: junction exec [-n NS] POD -- CMD...");
                return 2;
            }
            netns = PodNetns.name(namespace, words.get(0));
            command = words.subList(1, words.size());
        }
        Optional<String> problem = exists(netns);
        if (problem.isPresent()) {
            System.err.println("junction exec: " + problem.get());
            return 1;
        }
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        if (!client) {
            // Like kubectl exec, join the container's own namespaces too: its UTS namespace holds the pod's hostname.
            containerPid(netns).ifPresent(pid -> argv.addAll(List.of("nsenter", "--target", Long.toString(pid), "--uts", "--")));
        }
        argv.addAll(command);
        return new ProcessBuilder(argv).inheritIO().start().waitFor();
    }

    /**
     * A process of the pod's containers: one in the pod's netns whose UTS namespace differs from the
     * host's (the node agent starts containers under {@code unshare --uts}).
     */
    static Optional<Long> containerPid(String netns) {
        String hostUts = link(Path.of("/proc/self/ns/uts"));
        String pids = dev.junction.common.CommandRunner.system().run("ip", "netns", "pids", netns).stdout();
        for (String pid : pids.split("\\s+")) {
            if (!pid.isBlank()) {
                String uts = link(Path.of("/proc", pid.strip(), "ns", "uts"));
                if (!uts.isEmpty() && !uts.equals(hostUts)) {
                    return Optional.of(Long.parseLong(pid.strip()));
                }
            }
        }
        return Optional.empty();
    }

    private static String link(Path path) {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (Exception e) {
            return "";
        }
    }

    private Optional<String> exists(String netns) {
        if (Files.exists(Path.of("/var/run/netns", netns))) {
            return Optional.empty();
        }
        return Optional.of(client ? "no lab is running (netns " + netns + " does not exist); run 'junction up'"
                : "pod " + namespace + "/" + words.get(0) + " has no network namespace on this host (netns " + netns
                        + "); is it scheduled and running? (kubectl get pod -o wide)");
    }
}
