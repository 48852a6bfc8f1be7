package dev.junction.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks that the host can run a lab: root, and the commands the lab execs. */
final class Preconditions {
    static final List<String> COMMANDS = List.of("ip", "nsenter", "unshare", "iptables-restore", "iptables", "sysctl");

    private Preconditions() {
    }

    /** Problems found, each a sentence; empty when the lab can start. */
    static List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            problems.add("the lab needs root (network namespaces, iptables): run it with sudo");
        }
        for (String command : COMMANDS) {
            if (!onPath(command)) {
                problems.add("command not found: " + command + " (install iproute2, util-linux, iptables, procps)");
            }
        }
        return problems;
    }

    static boolean onPath(String command) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
