package dev.junction.cli;

import dev.junction.common.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code junction down}: stops the supervisor and every component by PID, kills every process left
 * in a lab netns (pods included) by PID, deletes every {@code jn-} netns (their links and netfilter
 * rules go with them), the pods' {@code /etc/netns/jn-…} files and the lab's state files. Works
 * after the components crashed, and is idempotent. Keeps {@code cds/} (a start-up cache).
 */
@Command(name = "down", description = "Remove every namespace, link, rule, file and process the lab made.")
public final class DownCommand implements Callable<Integer> {

    @Mixin
    LabOptions lab;

    @Override
    public Integer call() throws IOException {
        // The lab that really runs may have another data dir than this command's.
        Optional<Path> running = LabRegistry.runningHome();
        if (running.isPresent() && !running.get().equals(lab.paths().home())) {
            System.out.println("the running lab's data dir is " + running.get());
            stopProcessesAndFiles(new LabPaths(running.get()));
        }
        int removed = stopProcessesAndFiles(lab.paths());
        LabRegistry.clear();
        System.out.println(removed == 0 ? "no lab was running; nothing left behind"
                : "removed " + removed + " network namespaces and the lab's processes and files");
        return 0;
    }

    private static int stopProcessesAndFiles(LabPaths paths) throws IOException {
        // The supervisor first, so that it does not restart what is being stopped.
        for (LabProcesses.Entry entry : LabProcesses.live(paths)) {
            if (entry.name().equals("supervisor")) {
                LabProcesses.stop(entry.pid(), 8000);
            }
        }
        LabState.read(paths.state()).ifPresent(s -> {
            if (s.supervisorPid() > 0 && LabProcesses.isJunction(s.supervisorPid())) {
                LabProcesses.stop(s.supervisorPid(), 8000);
            }
        });
        for (LabProcesses.Entry entry : LabProcesses.live(paths)) {
            LabProcesses.stop(entry.pid(), 3000);
        }
        List<String> removed = new LabNetwork(CommandRunner.system()).destroyAll();
        removeNetnsFiles();
        for (Path path : List.of(paths.state(), paths.kubeconfig(), paths.apiserverData(), paths.etcdData(), paths.pki(),
                paths.home().resolve("nodes"), paths.run(), paths.logs())) {
            deleteRecursively(path);
        }
        return removed.size();
    }

    private static void removeNetnsFiles() throws IOException {
        Path etcNetns = Path.of("/etc/netns");
        if (!Files.isDirectory(etcNetns)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(etcNetns)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(LabTopology.PREFIX)).toList()) {
                deleteRecursively(dir);
            }
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
