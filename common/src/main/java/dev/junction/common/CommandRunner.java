package dev.junction.common;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Runs external commands ({@code ip}, {@code iptables-restore}, {@code nft}, …). Components take a
 * {@code CommandRunner} instead of calling {@link ProcessBuilder} so that renderers stay pure and
 * tests can record or replace every side effect.
 */
@FunctionalInterface
public interface CommandRunner {

    /** Default time limit for one command: 30 s. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Runs {@code argv} to completion, feeding {@code stdin} (may be empty) to its standard input.
     *
     * @return the exit code and captured output; a non-zero exit is not an exception here
     * @throws CommandFailedException when the process cannot be started or exceeds {@code timeout}
     *                                (it is killed; exit code -1)
     */
    CommandResult run(List<String> argv, String stdin, Duration timeout);

    /**
     * {@link #run(List, String, Duration)} with standard input given as bytes, for large inputs
     * rendered as bytes ({@code iptables-restore}, {@code nft -f -}: tens of MB at 10,000 Services)
     * so that no {@code String} copy of them is made. The default decodes {@code stdin} as UTF-8
     * and calls the {@code String} form (enough for recording fakes); the system runner writes the
     * bytes as they are.
     *
     * @param stdin   bytes for the standard input (may be empty; not modified)
     * @param timeout time limit for the whole command
     * @throws CommandFailedException when the process cannot be started or exceeds {@code timeout}
     */
    default CommandResult run(List<String> argv, byte[] stdin, Duration timeout) {
        return run(argv, new String(stdin, StandardCharsets.UTF_8), timeout);
    }

    /** {@link #run(List, String, Duration)} with no input and the default timeout. */
    default CommandResult run(List<String> argv) {
        return run(argv, "", DEFAULT_TIMEOUT);
    }

    /** {@link #run(List)} from varargs. */
    default CommandResult run(String... argv) {
        return run(List.of(argv));
    }

    /** Runs and requires exit code 0. @throws CommandFailedException otherwise */
    default CommandResult check(String... argv) {
        return run(List.of(argv)).orThrow();
    }

    /** The runner that starts real processes. */
    static CommandRunner system() {
        return SystemCommandRunner.INSTANCE;
    }
}
