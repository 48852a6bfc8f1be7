package dev.junction.node;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the built-in images {@code nginx}, {@code traefik/whoami}, {@code junction/dns} and {@code junction/ingress} (any tag,
 * with or without {@code docker.io/} and {@code library/}) through the image runner command:
 * {@code <runner…> <image> --container-port=P … -- <args…>}. Any other image is not runnable.
 */
public final class BuiltInImageResolver implements ImageResolver {
    /** Repositories that run without a {@code command}. */
    public static final List<String> BUILT_IN = List.of("nginx", "traefik/whoami", "junction/dns", "junction/ingress");
    private final List<String> runner;

    /** @param runner the image runner argv prefix, e.g. {@code [java, -jar, junction.jar, image]}; empty disables */
    public BuiltInImageResolver(List<String> runner) {
        this.runner = List.copyOf(requireNonNull(runner, "runner"));
    }

    @Override
    public Optional<List<String>> argvFor(Container container) {
        requireNonNull(container, "container");
        String image = container.getImage() == null ? "" : container.getImage();
        if (runner.isEmpty() || !BUILT_IN.contains(repository(image))) {
            return Optional.empty();
        }
        List<String> argv = new ArrayList<>(runner);
        argv.add(image);
        for (ContainerPort port : container.getPorts() == null ? List.<ContainerPort>of() : container.getPorts()) {
            if (port.getContainerPort() != null) {
                argv.add("--container-port=" + port.getContainerPort());
            }
        }
        argv.add("--");
        if (container.getArgs() != null) {
            argv.addAll(container.getArgs());
        }
        return Optional.of(argv);
    }

    /** {@code docker.io/library/nginx:1.27@sha256:…} → {@code nginx}. */
    static String repository(String image) {
        String repo = image;
        int at = repo.indexOf('@');
        if (at >= 0) {
            repo = repo.substring(0, at);
        }
        int slash = repo.lastIndexOf('/');
        int colon = repo.lastIndexOf(':');
        if (colon > slash) {
            repo = repo.substring(0, colon);
        }
        if (repo.startsWith("docker.io/")) {
            repo = repo.substring("docker.io/".length());
        }
        if (repo.startsWith("library/")) {
            repo = repo.substring("library/".length());
        }
        return repo;
    }

    /** The message of the {@code ImageNotRunnable} waiting state. */
    static String notRunnableMessage(String image) {
        return "image " + image + " cannot run on Junction: only the built-in images " + String.join(", ", BUILT_IN)
                + " run without a command; other images need spec.containers[].command (run on the host filesystem)";
    }
}
