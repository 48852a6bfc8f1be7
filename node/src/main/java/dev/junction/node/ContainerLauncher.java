package dev.junction.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Starts long-running container processes (the only exec that cannot go through a CommandRunner). */
@FunctionalInterface
public interface ContainerLauncher {

    /**
     * Starts {@code argv} with exactly {@code env}, output (stdout and stderr) appended to {@code log}.
     *
     * @throws IOException when the process cannot be started
     */
    RunningProcess start(List<String> argv, Map<String, String> env, Optional<Path> workingDir, Path log) throws IOException;

    /**
     * A started (or re-adopted) process.
     *
     * @param pid  its PID
     * @param exit completes with the exit code when it ends (-1 when unknown, e.g. re-adopted)
     */
    record RunningProcess(long pid, CompletableFuture<Integer> exit) {
    }

    /** Re-adopts a live process by PID after an agent restart. */
    static Optional<RunningProcess> adopt(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(h -> new RunningProcess(pid, h.onExit().thenApply(x -> -1)));
    }

    /** The launcher that uses {@link ProcessBuilder}. */
    static ContainerLauncher system() {
        return (argv, env, workingDir, log) -> {
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(env);
            workingDir.map(Path::toFile).filter(java.io.File::isDirectory).ifPresent(builder::directory);
            Process process = builder.start();
            return new RunningProcess(process.pid(), process.onExit().thenApply(Process::exitValue));
        };
    }
}
