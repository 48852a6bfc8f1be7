package dev.junction.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@link CommandRunner} backed by {@link ProcessBuilder}; stdout and stderr are read concurrently. */
final class SystemCommandRunner implements CommandRunner {
    static final SystemCommandRunner INSTANCE = new SystemCommandRunner();

    private SystemCommandRunner() {
    }

    @Override
    public CommandResult run(List<String> argv, String stdin, Duration timeout) {
        return run(argv, stdin.getBytes(StandardCharsets.UTF_8), timeout);
    }

    /** Writes {@code stdin} to the process as it is (no copy), then closes its standard input. */
    @Override
    public CommandResult run(List<String> argv, byte[] stdin, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            throw new CommandFailedException(new CommandResult(argv, -1, "", e.getMessage()));
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            if (stdin.length > 0) {
                in.write(stdin);
            }
        } catch (IOException e) {
            // The process may exit without reading its input; its exit code tells the rest.
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CommandFailedException(new CommandResult(argv, -1, "", "timed out after " + timeout));
            }
            return new CommandResult(argv, process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException(new CommandResult(argv, -1, "", "interrupted"));
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
    }
}
