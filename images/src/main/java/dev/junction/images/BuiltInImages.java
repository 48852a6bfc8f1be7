package dev.junction.images;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The public images Junction runs itself instead of pulling: {@code nginx} ({@link NginxStandIn}) and
 * {@code traefik/whoami} ({@link WhoamiStandIn}). The node agent starts a container with no
 * {@code command} whose image {@link #isStandIn} accepts through the CLI's image runner, which calls
 * {@link #run}.
 */
public final class BuiltInImages {

    /** Port used when a container declares no containerPort, like the real images (80). */
    public static final int DEFAULT_PORT = 80;

    private BuiltInImages() {
    }

    /** The built-in kinds of image. */
    public enum Kind { NGINX, WHOAMI }

    /**
     * Whether {@code image} is one of the stand-ins: {@code nginx}, {@code nginx:<tag>},
     * {@code nginx@<digest>}, {@code docker.io/library/nginx…}, {@code library/nginx…},
     * {@code traefik/whoami…} and {@code docker.io/traefik/whoami…}.
     */
    public static boolean isStandIn(String image) {
        return kind(image).isPresent();
    }

    /** The stand-in for {@code image}, empty when it is not a built-in image. */
    public static Optional<Kind> kind(String image) {
        requireNonNull(image, "image");
        String repo = image.strip().toLowerCase(Locale.ROOT);
        int at = repo.indexOf('@');
        if (at >= 0) {
            repo = repo.substring(0, at);
        }
        int slash = repo.lastIndexOf('/');
        int colon = repo.lastIndexOf(':');
        if (colon > slash) {
            repo = repo.substring(0, colon);
        }
        for (String prefix : List.of("docker.io/", "index.docker.io/", "registry-1.docker.io/")) {
            if (repo.startsWith(prefix)) {
                repo = repo.substring(prefix.length());
                break;
            }
        }
        return switch (repo) {
            case "nginx", "library/nginx" -> Optional.of(Kind.NGINX);
            case "traefik/whoami" -> Optional.of(Kind.WHOAMI);
            default -> Optional.empty();
        };
    }

    /**
     * Starts the stand-in for {@code image} on 0.0.0.0 and blocks until the process is killed.
     * {@code ports} are the container ports ({@link #DEFAULT_PORT} when empty). For whoami, the
     * container args {@code --port N}/{@code -port N} (added to the ports) and {@code --name X}/
     * {@code -name X} are honoured as by traefik/whoami; other args are ignored.
     *
     * @return the process exit code (0 after a clean shutdown, 2 for an image that is not built in)
     */
    public static int run(String image, List<Integer> ports, List<String> args) {
        requireNonNull(image, "image");
        requireNonNull(ports, "ports");
        requireNonNull(args, "args");
        Optional<Kind> kind = kind(image);
        if (kind.isEmpty()) {
            System.err.println("image: " + image + " (expected: nginx[:tag] or traefik/whoami[:tag])");
            return 2;
        }
        List<Integer> bind = new ArrayList<>(ports);
        Optional<String> name = Optional.empty();
        if (kind.get() == Kind.WHOAMI) {
            for (int i = 0; i < args.size(); i++) {
                String flag = args.get(i).replaceFirst("^--?", "-");
                String value = null;
                int eq = flag.indexOf('=');
                if (eq > 0) {
                    value = flag.substring(eq + 1);
                    flag = flag.substring(0, eq);
                } else if (i + 1 < args.size() && (flag.equals("-port") || flag.equals("-name"))) {
                    value = args.get(++i);
                }
                if (value != null && flag.equals("-port") && !bind.contains(Integer.parseInt(value))) {
                    bind.add(Integer.parseInt(value));
                } else if (value != null && flag.equals("-name")) {
                    name = Optional.of(value);
                }
            }
        }
        if (bind.isEmpty()) {
            bind.add(DEFAULT_PORT);
        }
        InetAddress any;
        try {
            any = InetAddress.getByName("0.0.0.0");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        StandInServer server = kind.get() == Kind.NGINX
                ? NginxStandIn.start(any, bind)
                : WhoamiStandIn.start(any, bind, name);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stand-in-shutdown"));
        try {
            server.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
