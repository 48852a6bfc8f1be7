package dev.junction.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The lab's own processes as recorded in {@code run/*.pid}. A PID is trusted only while
 * {@code /proc/<pid>/cmdline} still names Junction's main class, so a recycled PID is never
 * signalled.
 */
final class LabProcesses {
    private LabProcesses() {
    }

    /** Component name → live PID, for every PID file whose process is still a Junction process. */
    static List<Entry> live(LabPaths paths) {
        List<Entry> entries = new ArrayList<>();
        if (!Files.isDirectory(paths.run())) {
            return entries;
        }
        try (Stream<Path> files = Files.list(paths.run())) {
            for (Path file : files.filter(f -> f.toString().endsWith(".pid")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".pid", "");
                readPid(file).filter(LabProcesses::isJunction).ifPresent(pid -> entries.add(new Entry(name, pid)));
            }
        } catch (IOException e) {
            return entries;
        }
        return entries;
    }

    static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True when {@code pid} is alive and runs {@link Junction}. */
    static boolean isJunction(long pid) {
        try {
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
            // The lab's JVMs, and the lab's etcd member (started with --name=jn-etcd by the supervisor).
            return cmdline.contains(Junction.class.getName()) || cmdline.contains("--name=jn-etcd");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL after {@code graceMs} if still alive. */
    static void stop(long pid, long graceMs) {
        ProcessHandle.of(pid).ifPresent(handle -> {
            handle.destroy();
            try {
                handle.onExit().get(graceMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                handle.destroyForcibly();
                LabNetwork.awaitExit(java.util.List.of(pid), 5000);
            }
        });
    }

    record Entry(String name, long pid) {
    }
}
