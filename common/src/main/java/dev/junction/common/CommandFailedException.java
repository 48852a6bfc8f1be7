package dev.junction.common;

/** Thrown when a command exits non-zero and the caller required success; carries the whole result. */
public final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient CommandResult result;

    public CommandFailedException(CommandResult result) {
        super(String.join(" ", result.argv()) + ": exit " + result.exitCode() + ": " + result.stderr().strip());
        this.result = result;
    }

    /** The failed command's argv, exit code and output. */
    public CommandResult result() {
        return result;
    }
}
