package dev.junction.ingress;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ingress}: runs the ingress controller until the process is terminated (SIGTERM closes
 * it cleanly through a shutdown hook). Flag names follow ingress-nginx's controller where one
 * exists ({@code --ingress-class}, {@code --controller-class} is {@code --controller-name} here,
 * {@code --publish-service}, {@code --default-ssl-certificate}, {@code --http-port},
 * {@code --https-port}, {@code --healthz-port} is {@code --health-port}).
 */
@Command(name = "ingress", mixinStandardHelpOptions = true,
        description = "Ingress controller (ingress-nginx role): Ingress v1, TLS with SNI, HTTP/2, WebSocket.")
public final class IngressControllerCommand implements Callable<Integer> {

    @Option(names = "--server", description = "API server URL (wins over --kubeconfig).")
    String server;

    @Option(names = "--kubeconfig", description = "Path of a kubeconfig file.")
    Path kubeconfig;

    @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Address of all listeners (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--http-port", defaultValue = "80", description = "HTTP port, 0 = ephemeral, -1 = off (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--https-port", defaultValue = "443", description = "HTTPS port, 0 = ephemeral, -1 = off (default: ${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(names = "--health-port", defaultValue = "10254", description = "Port of /healthz and /metrics, -1 = off (default: ${DEFAULT-VALUE}).")
    int healthPort;

    @Option(names = "--ingress-class", defaultValue = "junction", description = "IngressClass name also answered to (default: ${DEFAULT-VALUE}).")
    String ingressClass;

    @Option(names = "--controller-name", defaultValue = "junction.dev/ingress-controller",
            description = "IngressClass spec.controller implemented (default: ${DEFAULT-VALUE}).")
    String controllerName;

    @Option(names = "--publish-service", description = "namespace/name of the Service whose address is written to Ingress status.loadBalancer.")
    String publishService;

    @Option(names = "--default-ssl-certificate", description = "namespace/name of the kubernetes.io/tls Secret for unknown SNI names (default: a self-signed certificate).")
    String defaultSslCertificate;

    @Option(names = "--enable-proxy-protocol", description = "Expect PROXY protocol v1/v2 on every connection (default: off).")
    boolean proxyProtocol;

    @Option(names = "--workers", defaultValue = "0", description = "Event loop threads, 0 = number of CPUs (default: ${DEFAULT-VALUE}).")
    int workers;

    @Override
    public Integer call() throws Exception {
        InetAddress bindAddress = InetAddress.getByName(bind);
        IngressController.IngressControllerBuilder b = IngressController.builder()
                .bindAddress(bindAddress).httpPort(httpPort).httpsPort(httpsPort).healthPort(healthPort)
                .ingressClass(ingressClass).controllerName(controllerName).proxyProtocol(proxyProtocol);
        if (publishService != null) {
            b.publishService(publishService);
        }
        if (defaultSslCertificate != null) {
            b.defaultSslCertificate(defaultSslCertificate);
        }
        if (workers > 0) {
            b.workerThreads(workers);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopped.countDown();
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ingress-shutdown"));
        try (KubernetesClient client = KubeClients.create(Optional.ofNullable(server), Optional.ofNullable(kubeconfig));
             IngressController controller = b.client(client).build().start()) {
            stopped.await();
        } finally {
            closed.countDown();
        }
        return 0;
    }

    /** Runs the command standalone: {@code java -cp … dev.junction.ingress.IngressControllerCommand --http-port 8080}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new IngressControllerCommand()).execute(args));
    }
}
