package dev.junction.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code junction kubeconfig}: prints the path of the lab's kubeconfig. */
@Command(name = "kubeconfig", description = "Print the path of the lab's kubeconfig ($JUNCTION_HOME/kubeconfig).")
public final class KubeconfigCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println(LabPaths.fromEnvironment().kubeconfig());
        return 0;
    }
}
