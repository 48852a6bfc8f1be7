package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Pods the DNS server needs to know about, keyed by pod IP: the namespace of a querying pod
 * (for {@link Autopath}) and the existence check of {@code pods verified} (CoreDNS keeps the same
 * pod-IP index in {@code plugin/kubernetes/controller.go}, {@code podIPIndex}). Host-network pods
 * share their node's IP and are skipped, like CoreDNS does for autopath. Lock-free reads.
 */
public final class PodTracker {
    /** What DNS keeps of a Pod. */
    public record PodInfo(String namespace, String name) {
        public PodInfo {
            requireNonNull(namespace, "namespace");
            requireNonNull(name, "name");
        }
    }

    private final Map<InetAddress, PodInfo> byIp = new ConcurrentHashMap<>();
    private final Map<String, List<InetAddress>> ipsByKey = new ConcurrentHashMap<>();

    /** The Pod that owns {@code ip}, if known. */
    public Optional<PodInfo> byIp(InetAddress ip) {
        return Optional.ofNullable(byIp.get(requireNonNull(ip, "ip")));
    }

    /** Hot-path variant of {@link #byIp}: {@code null} when unknown. */
    PodInfo get(InetAddress ip) {
        return byIp.get(ip);
    }

    /** Whether a Pod with {@code ip} exists in {@code namespace}. */
    public boolean exists(String namespace, InetAddress ip) {
        PodInfo p = byIp.get(ip);
        return p != null && p.namespace().equalsIgnoreCase(namespace);
    }

    /** The number of tracked pod IPs. */
    public int size() {
        return byIp.size();
    }

    /** Records or updates a Pod (informer add/update). */
    public synchronized void upsert(Pod pod) {
        requireNonNull(pod, "pod");
        String key = key(pod);
        remove(key);
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return;
        }
        if (pod.getStatus() == null) {
            return;
        }
        List<String> raw = new ArrayList<>();
        if (pod.getStatus().getPodIPs() != null) {
            for (PodIP ip : pod.getStatus().getPodIPs()) {
                if (ip.getIp() != null) {
                    raw.add(ip.getIp());
                }
            }
        }
        if (raw.isEmpty() && pod.getStatus().getPodIP() != null) {
            raw.add(pod.getStatus().getPodIP());
        }
        PodInfo info = new PodInfo(pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace(),
                pod.getMetadata().getName());
        List<InetAddress> ips = new ArrayList<>();
        for (String r : raw) {
            IpLiterals.parse(r).ifPresent(ip -> {
                ips.add(ip);
                byIp.put(ip, info);
            });
        }
        if (!ips.isEmpty()) {
            ipsByKey.put(key, ips);
        }
    }

    /** Forgets a Pod (informer delete). */
    public synchronized void delete(Pod pod) {
        remove(key(requireNonNull(pod, "pod")));
    }

    private void remove(String key) {
        List<InetAddress> old = ipsByKey.remove(key);
        if (old != null) {
            for (InetAddress ip : old) {
                PodInfo p = byIp.get(ip);
                if (p != null && key.equals(p.namespace() + "/" + p.name())) {
                    byIp.remove(ip);
                }
            }
        }
    }

    private static String key(Pod pod) {
        String ns = pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
        return ns + "/" + pod.getMetadata().getName();
    }
}
