package dev.junction.controllers;

import dev.junction.common.KubeClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code controllers}: runs {@link Controllers} against an API server until the process is killed.
 * Start-up is retried every 2 s until the informers sync (the API server may still be starting).
 * Serves {@code /healthz}, {@code /readyz} and {@code /metrics} on {@code --health-port}. SIGTERM stops
 * the controllers and closes the client.
 */
@Command(name = "controllers", mixinStandardHelpOptions = true,
        description = "Run the Deployment, ReplicaSet, EndpointSlice, Endpoints and mirroring controllers, "
                + "the garbage collector and the scheduler.")
public final class ControllersCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ControllersCommand.class);

    @Option(names = "--server", paramLabel = "URL", description = "API server URL (wins over --kubeconfig).")
    Optional<String> server = Optional.empty();

    @Option(names = "--kubeconfig", paramLabel = "PATH", description = "kubeconfig file.")
    Optional<Path> kubeconfig = Optional.empty();

    @Option(names = "--health-port", paramLabel = "PORT", defaultValue = "10257",
            description = "Port for plain-HTTP /healthz, /readyz and /metrics on all addresses; 0 disables "
                    + "(default: ${DEFAULT-VALUE}).")
    int healthPort = 10257;

    @Override
    public Integer call() throws Exception {
        if (healthPort < 0 || healthPort > 65535) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--health-port: " + healthPort + " (expected: 0-65535)");
        }
        KubernetesClient client = KubeClients.create(server, kubeconfig);
        AtomicReference<Controllers.Running> running = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        HealthServer health = null;
        if (healthPort > 0) {
            try {
                health = new HealthServer(new InetSocketAddress(healthPort), () -> running.get() != null,
                        () -> running.get() == null ? "" : running.get().prometheusText());
            } catch (java.io.UncheckedIOException e) {
                LOG.warn("controllers: health port {} not bound: {}", healthPort, e.getCause().toString());
            }
        }
        HealthServer healthServer = health;
        CountDownLatch stopped = new CountDownLatch(1);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            main.interrupt();
            Controllers.Running r = running.getAndSet(null);
            if (r != null) {
                r.close();
            }
            client.close();
            if (healthServer != null) {
                healthServer.close();
            }
            stopped.countDown();
        }, "controllers-shutdown"));
        while (!stopping.get()) {
            try {
                running.set(Controllers.start(client));
                break;
            } catch (IllegalStateException e) {
                LOG.warn("controllers: cannot start yet ({}); retrying in 2 s", e.getMessage());
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException interrupted) {
                    return 0;
                }
            }
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            // SIGTERM: the shutdown hook closes everything
        }
        return 0;
    }
}
