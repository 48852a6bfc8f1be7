package dev.junction.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps lab components running, as a process supervisor (or kubelet for static pods) does: each
 * component's output is appended to {@code logs/<name>.log}, its PID written to
 * {@code run/<name>.pid}, and when it exits it is started again after a back-off that doubles from
 * 1 s to 10 s (reset after 30 s of uptime). {@link #close()} stops every component: SIGTERM, then
 * SIGKILL after 5 s.
 */
public final class ProcessSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessSupervisor.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final LabPaths paths;
    private final Map<String, Process> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public ProcessSupervisor(LabPaths paths) {
        this.paths = Objects.requireNonNull(paths, "paths");
    }

    /** Starts {@code component} now and keeps it running until {@link #close()}. */
    public void supervise(Component component) {
        Thread.ofVirtual().name("supervise-" + component.name()).start(() -> loop(component));
    }

    private void loop(Component component) {
        Duration backoff = Duration.ofSeconds(1);
        while (!stopping) {
            Instant started = Instant.now();
            try {
                Process process = start(component);
                int exit = process.waitFor();
                running.remove(component.name(), process);
                if (stopping) {
                    return;
                }
                LOG.warn("{} exited with {}; restarting in {} s", component.name(), exit, backoff.toSeconds());
            } catch (IOException e) {
                LOG.error("{} could not start: {}", component.name(), e.getMessage());
            } catch (InterruptedException e) {
                return;
            }
            if (Duration.between(started, Instant.now()).toSeconds() > 30) {
                backoff = Duration.ofSeconds(1);
            }
            sleep(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    private Process start(Component component) throws IOException {
        Files.createDirectories(paths.logs());
        Files.createDirectories(paths.run());
        Path log = paths.log(component.name());
        Process process = new ProcessBuilder(component.argv())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        running.put(component.name(), process);
        Files.writeString(paths.pidFile(component.name()), process.pid() + "\n");
        LOG.info("{} started, pid {}", component.name(), process.pid());
        return process;
    }

    /** The components' current processes by name. */
    public Map<String, Process> running() {
        return Map.copyOf(running);
    }

    @Override
    public void close() {
        stopping = true;
        List<Process> processes = List.copyOf(running.values());
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes {@code pid} to {@code file}. @throws UncheckedIOException on I/O failure */
    static void writePid(Path file, long pid) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, pid + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
