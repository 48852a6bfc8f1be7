package dev.junction.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code junction} command: the lab ({@code up}, {@code down}, {@code exec}, {@code status},
 * {@code kubeconfig}) and, hidden, each component as a process of its own (what the lab's
 * supervisor and node agents start).
 */
@Command(name = "junction", mixinStandardHelpOptions = true, version = "junction 0.1.0",
        description = "Kubernetes service networking on one Linux host.",
        subcommands = {
            UpCommand.class,
            DownCommand.class,
            ExecCommand.class,
            StatusCommand.class,
            KubeconfigCommand.class,
            SupervisorCommand.class,
            LabNodeCommand.class,
            ImageCommand.class,
            dev.junction.apiserver.ApiServerCommand.class,
            dev.junction.controllers.ControllersCommand.class,
            dev.junction.node.NodeAgentCommand.class,
            dev.junction.proxy.iptables.ProxyCommand.class,
            dev.junction.dns.DnsServerCommand.class,
        })
public final class Junction {

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured picocli command line (exposed for tests). */
    public static CommandLine commandLine() {
        return new CommandLine(new Junction()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
