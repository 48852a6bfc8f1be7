package dev.junction.cli;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code junction status}: each lab component with its PID and whether it runs, then the API server's and nodes' health. */
@Command(name = "status", description = "Show the lab's components and their health.")
public final class StatusCommand implements Callable<Integer> {

    @Mixin
    LabOptions lab;

    @Override
    public Integer call() {
        LabPaths paths = lab.paths();
        Optional<LabState> state = LabState.read(paths.state());
        if (state.isEmpty()) {
            System.out.println("no lab (" + paths.state() + " does not exist); start one with 'junction up'");
            return 1;
        }
        var live = LabProcesses.live(paths);
        System.out.printf("%-24s %-8s %s%n", "COMPONENT", "PID", "STATE");
        for (Component component : SupervisorCommand.components(paths, state.get())) {
            print(component.name(), live);
        }
        print("supervisor", live);
        boolean healthy = true;
        try (KubernetesClient client = KubeClients.create(Optional.empty(), Optional.of(paths.kubeconfig()))) {
            var problems = new ClusterReadiness(client, state.get().topology()).problems();
            System.out.println();
            System.out.println(problems.isEmpty() ? "cluster: every node, deployment and pod is ready" : "cluster: not ready:");
            problems.forEach(p -> System.out.println("  " + p));
            healthy = problems.isEmpty();
        } catch (RuntimeException e) {
            System.out.println("API server: unreachable at 127.0.0.1:" + LabTopology.API_PORT + ": " + e.getMessage());
            healthy = false;
        }
        return healthy ? 0 : 1;
    }

    private static void print(String name, java.util.List<LabProcesses.Entry> live) {
        Optional<LabProcesses.Entry> entry = live.stream().filter(e -> e.name().equals(name)).findFirst();
        System.out.printf("%-24s %-8s %s%n", name, entry.map(e -> Long.toString(e.pid())).orElse("-"), entry.isPresent() ? "running" : "not running");
    }
}
