package dev.junction.testing;

import dev.junction.common.CommandResult;
import dev.junction.common.CommandRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A network namespace owned by one test, named {@code jnt-<tag>-<random hex>} (never {@code jn-…},
 * which belongs to the lab). {@link #close()} kills the processes inside it by PID
 * ({@code ip netns pids}) and deletes it, so links inside it vanish with it.
 *
 * <p>Use with try-with-resources; requires root (see {@link RequiresRoot}).
 */
public final class TestNetns implements AutoCloseable {
    private static final CommandRunner RUN = CommandRunner.system();
    private final String name;

    private TestNetns(String name) {
        this.name = name;
    }

    /**
     * Creates a namespace with loopback up.
     *
     * @param tag short word naming the test, at most 6 characters (interface names are limited to 15)
     */
    public static TestNetns create(String tag) {
        String name = "jnt-" + tag + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        RUN.check("ip", "netns", "add", name);
        RUN.check("ip", "-n", name, "link", "set", "lo", "up");
        return new TestNetns(name);
    }

    /** The namespace name, usable with {@code ip netns exec} and {@code ip -n}. */
    public String name() {
        return name;
    }

    /** Runs argv inside this namespace ({@code ip netns exec NAME argv…}); exit code is not checked. */
    public CommandResult exec(String... argv) {
        return exec("", argv);
    }

    /** Runs argv inside this namespace with {@code stdin} as its input. */
    public CommandResult exec(String stdin, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(argv));
        return RUN.run(cmd, stdin, CommandRunner.DEFAULT_TIMEOUT);
    }

    /** Like {@link #exec(String...)} but requires exit code 0. */
    public CommandResult check(String... argv) {
        return exec(argv).orThrow();
    }

    @Override
    public void close() {
        String pids = RUN.run("ip", "netns", "pids", name).stdout();
        for (String pid : pids.split("\\s+")) {
            if (!pid.isBlank()) {
                RUN.run("kill", "-9", pid.strip());
            }
        }
        RUN.run("ip", "netns", "del", name);
    }
}
