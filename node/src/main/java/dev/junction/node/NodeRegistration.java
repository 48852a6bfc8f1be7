package dev.junction.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers and heartbeats this node's Node object, like kubelet's {@code registerWithAPIServer}
 * and {@code setNodeStatus} (kubernetes {@code pkg/kubelet/kubelet_node_status.go},
 * {@code pkg/kubelet/nodestatus/setters.go}): labels {@code kubernetes.io/hostname|os|arch},
 * {@code spec.podCIDR(s)}, {@code --register-with-taints} (added at registration only, like
 * kubelet), addresses InternalIP + Hostname, conditions (Ready with reason {@code KubeletReady}),
 * capacity and {@code nodeInfo}. The heartbeat refreshes {@code lastHeartbeatTime} through
 * the {@code /status} subresource.
 */
public final class NodeRegistration {
    /** What {@code nodeInfo.kubeletVersion} and {@code kubeProxyVersion} report. */
    public static final String VERSION = "v1.33.0-junction";
    private final KubernetesClient client;
    private final String nodeName;
    private final String nodeIp;
    private final String podCidr;
    private final List<Taint> taints;
    private volatile String readySince = now();

    /**
     * @param taints taints to add when registering
     */
    public NodeRegistration(KubernetesClient client, String nodeName, String nodeIp, String podCidr, List<Taint> taints) {
        this.client = requireNonNull(client, "client");
        this.nodeName = requireNonNull(nodeName, "nodeName");
        this.nodeIp = requireNonNull(nodeIp, "nodeIp");
        this.podCidr = requireNonNull(podCidr, "podCidr");
        this.taints = List.copyOf(requireNonNull(taints, "taints"));
    }

    /**
     * Creates the Node, or updates labels, podCIDR (when unset) and missing taints of an existing one,
     * then writes its status.
     *
     * @throws KubernetesClientException when the API refuses
     */
    public void register() {
        Node existing = client.nodes().withName(nodeName).get();
        if (existing == null) {
            Node node = new Node();
            ObjectMeta meta = new ObjectMeta();
            meta.setName(nodeName);
            meta.setLabels(labels(Map.of()));
            node.setMetadata(meta);
            NodeSpec spec = new NodeSpec();
            spec.setPodCIDR(podCidr);
            spec.setPodCIDRs(List.of(podCidr));
            spec.setTaints(taints.isEmpty() ? null : taints);
            node.setSpec(spec);
            node.setStatus(status());
            try {
                client.nodes().resource(node).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
            }
        } else {
            client.nodes().withName(nodeName).edit(n -> {
                n.getMetadata().setLabels(labels(n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels()));
                if (n.getSpec() == null) {
                    n.setSpec(new NodeSpec());
                }
                if (n.getSpec().getPodCIDR() == null || n.getSpec().getPodCIDR().isEmpty()) {
                    n.getSpec().setPodCIDR(podCidr);
                    n.getSpec().setPodCIDRs(List.of(podCidr));
                }
                List<Taint> merged = new ArrayList<>(n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints());
                for (Taint t : taints) {
                    if (merged.stream().noneMatch(m -> m.getKey().equals(t.getKey()) && m.getEffect().equals(t.getEffect()))) {
                        merged.add(t);
                    }
                }
                n.getSpec().setTaints(merged.isEmpty() ? null : merged);
                return n;
            });
        }
        writeStatus();
    }

    /**
     * Writes the whole node status with a fresh {@code lastHeartbeatTime}; registers the Node again
     * when it was deleted, as kubelet does.
     *
     * @throws KubernetesClientException when the API refuses
     */
    public void heartbeat() {
        if (client.nodes().withName(nodeName).get() == null) {
            register();
            return;
        }
        writeStatus();
    }

    private void writeStatus() {
        NodeStatus status = status();
        try {
            client.nodes().withName(nodeName).editStatus(n -> {
                n.setStatus(status);
                return n;
            });
        } catch (KubernetesClientException e) {
            client.nodes().withName(nodeName).edit(n -> {
                n.setStatus(status);
                return n;
            });
        }
    }

    NodeStatus status() {
        String now = now();
        NodeStatus status = new NodeStatus();
        status.setAddresses(List.of(new NodeAddress(nodeIp, "InternalIP"), new NodeAddress(nodeName, "Hostname")));
        status.setConditions(List.of(
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now)));
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())));
        capacity.put("memory", new Quantity("8Gi"));
        capacity.put("pods", new Quantity("110"));
        status.setCapacity(capacity);
        status.setAllocatable(capacity);
        NodeSystemInfo info = new NodeSystemInfo();
        info.setKubeletVersion(VERSION);
        info.setKubeProxyVersion(VERSION);
        info.setOperatingSystem("linux");
        info.setArchitecture(architecture());
        info.setOsImage(osImage());
        info.setKernelVersion(System.getProperty("os.version", ""));
        info.setContainerRuntimeVersion("junction://0.1.0");
        info.setMachineID(nodeName);
        info.setSystemUUID(nodeName);
        info.setBootID("");
        status.setNodeInfo(info);
        return status;
    }

    private NodeCondition condition(String type, String status, String reason, String message, String now) {
        NodeCondition c = new NodeCondition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        c.setLastHeartbeatTime(now);
        c.setLastTransitionTime(readySince);
        return c;
    }

    private Map<String, String> labels(Map<String, String> existing) {
        Map<String, String> labels = new LinkedHashMap<>(existing);
        labels.put("kubernetes.io/hostname", nodeName);
        labels.put("kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", architecture());
        return labels;
    }

    static String architecture() {
        String arch = System.getProperty("os.arch", "amd64");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    static String osImage() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (Exception e) {
            // fall through
        }
        return "Linux";
    }

    /**
     * Parses a {@code --register-with-taints} item {@code key=value:Effect} or {@code key:Effect}.
     *
     * @throws IllegalArgumentException when the form or effect is wrong
     */
    public static Taint parseTaint(String spec) {
        requireNonNull(spec, "spec");
        int colon = spec.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("taint: " + spec + " (expected: key[=value]:NoSchedule|PreferNoSchedule|NoExecute)");
        }
        String effect = spec.substring(colon + 1);
        if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
            throw new IllegalArgumentException("taint: " + spec + " (expected: key[=value]:NoSchedule|PreferNoSchedule|NoExecute)");
        }
        String kv = spec.substring(0, colon);
        int eq = kv.indexOf('=');
        Taint taint = new Taint();
        taint.setKey(eq < 0 ? kv : kv.substring(0, eq));
        if (eq >= 0) {
            taint.setValue(kv.substring(eq + 1));
        }
        taint.setEffect(effect);
        return taint;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
