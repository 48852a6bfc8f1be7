package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names the network namespace of a pod: {@code jn-pod-<namespace>-<podName>}. Names longer than
 * {@value #MAX_LENGTH} characters are shortened to a prefix of that form plus {@code -} and 10 hex
 * characters of the SHA-256 of {@code namespace/podName}, so the name stays stable and unique.
 * The CLI uses this for {@code junction exec}; the node agent for pod sandboxes (the role of
 * the CRI sandbox in kubelet's {@code pkg/kubelet/kuberuntime/kuberuntime_sandbox.go}).
 */
public final class PodNetns {
    /** Longest name this class returns. */
    public static final int MAX_LENGTH = 60;
    /** Prefix of every lab pod namespace. */
    public static final String PREFIX = "jn-pod-";

    private PodNetns() {
    }

    /**
     * @param namespace the pod's namespace (a DNS label)
     * @param podName   the pod's name (a DNS subdomain)
     * @return a netns name of at most {@value #MAX_LENGTH} characters
     */
    public static String name(String namespace, String podName) {
        return name(PREFIX, namespace, podName);
    }

    /**
     * Like {@link #name(String, String)} with another prefix (tests use {@code jnt-…}).
     *
     * @throws IllegalArgumentException when the prefix is longer than 40 characters
     */
    public static String name(String prefix, String namespace, String podName) {
        requireNonNull(prefix, "prefix");
        requireNonNull(namespace, "namespace");
        requireNonNull(podName, "podName");
        if (prefix.length() > 40) {
            throw new IllegalArgumentException("prefix: " + prefix + " (expected: at most 40 characters)");
        }
        String full = prefix + namespace + "-" + podName;
        if (full.length() <= MAX_LENGTH) {
            return full;
        }
        String hash = hash(namespace + "/" + podName).substring(0, 10);
        return full.substring(0, MAX_LENGTH - 11) + "-" + hash;
    }

    /** Lower-case hex SHA-256 of {@code text} (64 characters). */
    static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
