package dev.junction.node;

import static java.util.Objects.requireNonNull;

import dev.junction.cni.NodeExec;
import dev.junction.common.CommandFailedException;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one probe attempt as kubelet's prober does (kubernetes {@code pkg/kubelet/prober/prober.go},
 * {@code pkg/probe/http}, {@code pkg/probe/tcp}, {@code pkg/probe/exec}): {@code httpGet} succeeds
 * on a status of 200..399, {@code tcpSocket} when a connection opens, {@code exec} on exit code 0
 * (run inside the pod's network namespace). HTTP and TCP probes go from the node to the pod IP:
 * with Java sockets when the agent is in the node namespace, else through {@code curl} /
 * {@code bash -c '</dev/tcp/IP/PORT'} inside the node namespace.
 */
public final class ProbeRunner {
    private static final Logger log = LoggerFactory.getLogger(ProbeRunner.class);
    private final NodeExec node;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** @param node where probes originate */
    public ProbeRunner(NodeExec node) {
        this.node = requireNonNull(node, "node");
    }

    /**
     * @param probe     the probe
     * @param container the container (for named ports)
     * @param podIp     the pod IP
     * @param podNetns  the pod's netns for exec probes; empty for host-network pods
     * @return true on success; errors count as failure
     */
    public boolean probe(Probe probe, Container container, String podIp, Optional<String> podNetns) {
        Duration timeout = Duration.ofSeconds(probe.getTimeoutSeconds() == null ? 1 : Math.max(1, probe.getTimeoutSeconds()));
        try {
            if (probe.getHttpGet() != null) {
                return httpGet(probe.getHttpGet(), container, podIp, timeout);
            }
            if (probe.getTcpSocket() != null) {
                String host = Optional.ofNullable(probe.getTcpSocket().getHost()).filter(h -> !h.isEmpty()).orElse(podIp);
                return tcp(host, port(probe.getTcpSocket().getPort(), container), timeout);
            }
            if (probe.getExec() != null && probe.getExec().getCommand() != null) {
                List<String> argv = new ArrayList<>();
                if (podNetns.isPresent()) {
                    argv.addAll(List.of("ip", "netns", "exec", podNetns.get()));
                    argv.addAll(probe.getExec().getCommand());
                    return node.runner().run(argv, "", timeout).ok();
                }
                return node.run(probe.getExec().getCommand(), timeout).ok();
            }
            log.warn("unsupported probe handler in container {}; treating as failure", container.getName());
            return false;
        } catch (CommandFailedException | IllegalArgumentException e) {
            return false;
        }
    }

    private boolean httpGet(HTTPGetAction action, Container container, String podIp, Duration timeout) {
        String host = Optional.ofNullable(action.getHost()).filter(h -> !h.isEmpty()).orElse(podIp);
        String scheme = Optional.ofNullable(action.getScheme()).orElse("HTTP").toLowerCase(Locale.ROOT);
        String path = Optional.ofNullable(action.getPath()).filter(p -> !p.isEmpty()).orElse("/");
        if (!path.startsWith("/")) {
            path = "/" + path;
        }
        String url = scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port(action.getPort(), container) + path;
        List<HTTPHeader> headers = action.getHttpHeaders() == null ? List.of() : action.getHttpHeaders();
        if (node.nodeNetns().isPresent()) {
            List<String> argv = new ArrayList<>(List.of("curl", "-s", "-k", "-o", "/dev/null", "-w", "%{http_code}",
                    "--max-time", Long.toString(timeout.toSeconds()), "-A", "kube-probe/1.33"));
            for (HTTPHeader h : headers) {
                argv.addAll(List.of("-H", h.getName() + ": " + h.getValue()));
            }
            argv.add(url);
            String code = node.run(argv, timeout.plusSeconds(2)).stdout().strip();
            return code.matches("\\d{3}") && Integer.parseInt(code) >= 200 && Integer.parseInt(code) < 400;
        }
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET()
                    .header("User-Agent", "kube-probe/1.33");
            headers.forEach(h -> request.header(h.getName(), h.getValue()));
            int code = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            return code >= 200 && code < 400;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private boolean tcp(String host, int port, Duration timeout) {
        if (node.nodeNetns().isPresent()) {
            return node.run(List.of("bash", "-c", "</dev/tcp/" + host + "/" + port), timeout.plusSeconds(1)).ok();
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Resolves a probe port: a number, or the name of one of the container's ports.
     *
     * @throws IllegalArgumentException when a named port does not exist
     */
    static int port(IntOrString port, Container container) {
        requireNonNull(port, "port");
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        String name = port.getStrVal();
        for (ContainerPort p : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
            if (name != null && name.equals(p.getName())) {
                return p.getContainerPort();
            }
        }
        if (name != null && name.matches("\\d+")) {
            return Integer.parseInt(name);
        }
        throw new IllegalArgumentException("port: " + name + " (expected: a number or a named container port)");
    }
}
