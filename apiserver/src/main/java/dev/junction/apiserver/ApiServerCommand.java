package dev.junction.apiserver;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code apiserver}: runs {@link ApiServer} until the process is terminated (SIGTERM closes it
 * cleanly). Flag names follow kube-apiserver's.
 */
@Command(name = "apiserver", mixinStandardHelpOptions = true,
        description = "Kubernetes API server (kube-apiserver role) with SQLite storage.")
public final class ApiServerCommand implements Callable<Integer> {
    @Option(names = "--data-dir", required = true, description = "Directory holding state.db.")
    Path dataDir;

    @Option(names = "--bind-address", defaultValue = "0.0.0.0", description = "Listen address (default: ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(names = "--port", defaultValue = "6443", description = "TCP port; 0 = ephemeral (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--unix-socket", description = "Also serve the API on this Unix domain socket.")
    Path unixSocket;

    @Option(names = "--service-cluster-ip-range", defaultValue = "10.96.0.0/12",
            description = "ClusterIP range (default: ${DEFAULT-VALUE}).")
    String serviceClusterIpRange;

    @Option(names = "--service-node-port-range", defaultValue = "30000-32767",
            description = "NodePort range (default: ${DEFAULT-VALUE}).")
    String serviceNodePortRange;

    @Option(names = "--advertise-address",
            description = "Address of the kubernetes Service endpoints (default: bind address, else first host IPv4).")
    String advertiseAddress;

    @Option(names = "--advertise-port", defaultValue = "6443",
            description = "Port of the kubernetes Service endpoints (default: ${DEFAULT-VALUE}).")
    int advertisePort;

    @Override
    public Integer call() throws InterruptedException {
        ApiServer.Builder b = ApiServer.builder().dataDir(dataDir).bindAddress(bindAddress).port(port)
                .serviceCidr(serviceClusterIpRange).nodePortRange(serviceNodePortRange).advertisePort(advertisePort);
        if (unixSocket != null) {
            b.unixSocket(unixSocket);
        }
        if (advertiseAddress != null) {
            b.advertiseAddress(advertiseAddress);
        }
        ApiServer server = b.build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "apiserver-shutdown"));
        System.err.println("apiserver listening on " + bindAddress + ":" + server.port()
                + (unixSocket != null ? " and " + unixSocket : ""));
        stopped.await();
        return 0;
    }
}
