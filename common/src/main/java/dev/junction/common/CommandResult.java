package dev.junction.common;

import java.util.List;

/**
 * The outcome of one finished command: its argv, exit code and captured output (UTF-8 text).
 *
 * @param argv     the command line that ran
 * @param exitCode the process exit status (0 is success)
 * @param stdout   everything the process wrote to standard output
 * @param stderr   everything the process wrote to standard error
 */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {

    public CommandResult {
        argv = List.copyOf(argv);
    }

    /** True when the exit code is 0. */
    public boolean ok() {
        return exitCode == 0;
    }

    /**
     * Returns this result when the command succeeded.
     *
     * @throws CommandFailedException when the exit code is not 0; its message holds argv and stderr
     */
    public CommandResult orThrow() {
        if (!ok()) {
            throw new CommandFailedException(this);
        }
        return this;
    }
}
