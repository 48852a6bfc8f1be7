package dev.junction.apiserver;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code apiserver}: runs {@link ApiServer} until the process is terminated (SIGTERM closes it
 * cleanly). Flag names follow kube-apiserver's. Plain HTTP without authentication unless the TLS
 * flags ({@code --tls-cert-file}/{@code --tls-private-key-file} or {@code --tls-generate-ca-dir})
 * or {@code --token-auth-file} are given.
 */
@Command(name = "apiserver", mixinStandardHelpOptions = true,
        description = "Kubernetes API server (kube-apiserver role) with SQLite or etcd storage.")
public final class ApiServerCommand implements Callable<Integer> {
    @Option(names = "--data-dir", description = "Directory holding state.db (required with --storage-backend=sqlite).")
    Path dataDir;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--storage-backend", defaultValue = "sqlite",
            description = "sqlite or etcd3 (default: ${DEFAULT-VALUE}).")
    String storageBackend;

    @Option(names = "--etcd-servers", split = ",", defaultValue = "http://127.0.0.1:2379",
            description = "etcd client URLs for etcd3, comma-separated (default: ${DEFAULT-VALUE}).")
    java.util.List<String> etcdServers;

    @Option(names = "--etcd-prefix", defaultValue = "/registry",
            description = "Prefix of every etcd key (default: ${DEFAULT-VALUE}).")
    String etcdPrefix;

    @Option(names = "--etcd-compaction-interval", defaultValue = "5m",
            description = "How often etcd's history is compacted, a Go duration (5m, 1h30m); 0 disables (default: ${DEFAULT-VALUE}).")
    String etcdCompactionInterval;

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

    @Option(names = "--tls-cert-file", description = "Serve HTTPS with this PEM certificate (with --tls-private-key-file).")
    Path tlsCertFile;

    @Option(names = "--tls-private-key-file", description = "PKCS#8 PEM key of --tls-cert-file.")
    Path tlsPrivateKeyFile;

    @Option(names = "--tls-generate-ca-dir", description = "Create (once) a cluster CA and serving certificate in this"
            + " directory (ca.crt, ca.key, apiserver.crt, apiserver.key) and serve HTTPS with it.")
    Path tlsGenerateCaDir;

    @Option(names = "--tls-san", split = ",", description = "Extra subjectAltNames for a generated serving certificate.")
    java.util.List<String> tlsSans = new java.util.ArrayList<>();

    @Option(names = "--token-auth-file", description = "Require bearer tokens from this CSV file (token,user,uid[,groups]).")
    Path tokenAuthFile;

    @Option(names = "--token-users", split = ",", description = "Create --token-auth-file (when missing) with one random"
            + " token per user, e.g. admin,controllers,node-agent,dns,ingress.")
    java.util.List<String> tokenUsers = new java.util.ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        if (dataDir == null && !storageBackend.equals("etcd3")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--data-dir is required with --storage-backend=" + storageBackend);
        }
        java.time.Duration compaction;
        try {
            compaction = dev.junction.common.Durations.parse(etcdCompactionInterval);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--etcd-compaction-interval: " + e.getMessage());
        }
        ApiServer.Builder b = ApiServer.builder().storageBackend(storageBackend).etcdServers(etcdServers)
                .etcdPrefix(etcdPrefix).etcdCompactionInterval(compaction).bindAddress(bindAddress).port(port)
                .serviceCidr(serviceClusterIpRange).nodePortRange(serviceNodePortRange).advertisePort(advertisePort);
        if (dataDir != null) {
            b.dataDir(dataDir);
        }
        if (unixSocket != null) {
            b.unixSocket(unixSocket);
        }
        if (advertiseAddress != null) {
            b.advertiseAddress(advertiseAddress);
        }
        if (tlsGenerateCaDir != null) {
            java.util.List<String> sans = new java.util.ArrayList<>(tlsSans);
            if (advertiseAddress != null) {
                sans.add(advertiseAddress);
            }
            sans.add(new ClusterIpAllocator(serviceClusterIpRange).first());
            if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::")) {
                sans.add(bindAddress);
            }
            ClusterCa ca = ClusterCa.ensure(tlsGenerateCaDir, sans);
            b.tls(ca.serverCertificate(), ca.serverKey());
        } else if (tlsCertFile != null || tlsPrivateKeyFile != null) {
            if (tlsCertFile == null || tlsPrivateKeyFile == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--tls-cert-file and --tls-private-key-file go together");
            }
            b.tls(tlsCertFile, tlsPrivateKeyFile);
        }
        if (tokenAuthFile != null) {
            b.tokenAuthenticator(tokenUsers.isEmpty() ? TokenAuthenticator.load(tokenAuthFile)
                    : TokenAuthenticator.ensure(tokenAuthFile, tokenUsers));
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
