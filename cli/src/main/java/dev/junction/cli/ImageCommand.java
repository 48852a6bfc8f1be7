package dev.junction.cli;

import dev.junction.dns.DnsServerCommand;
import dev.junction.images.BuiltInImages;
import dev.junction.ingress.IngressControllerCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code junction image IMAGE [--container-port=P]… -- ARGS…}: the lab's image runner. The node
 * agent runs a container that has no {@code command} through this when its image is built in:
 * {@code nginx} and {@code traefik/whoami} (stand-ins serving each containerPort) and
 * {@code junction/dns} (the cluster DNS server, given the container's args).
 */
@Command(name = "image", hidden = true, description = "Run a built-in image (used by the node agent).")
public final class ImageCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "Image reference, e.g. nginx:1.14.2, traefik/whoami, junction/dns.")
    String image;

    @Option(names = "--container-port", description = "A containerPort of the container (repeatable).")
    List<Integer> ports = new ArrayList<>();

    @Parameters(index = "1..*", description = "The container's args (after --).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        if (is(image, "junction/dns")) {
            return new CommandLine(new DnsServerCommand()).execute(args.toArray(String[]::new));
        }
        if (is(image, "junction/ingress")) {
            return new CommandLine(new IngressControllerCommand()).execute(args.toArray(String[]::new));
        }
        if (BuiltInImages.isStandIn(image)) {
            return BuiltInImages.run(image, ports, args);
        }
        System.err.println("image: " + image + " (expected: nginx, traefik/whoami, junction/dns or junction/ingress; other images need a command)");
        return 2;
    }

    /** True for {@code junction/dns} with any tag or registry prefix. */
    static boolean isDns(String image) {
        return is(image, "junction/dns");
    }

    /** True when {@code image} is {@code repository} with any tag, digest or registry prefix. */
    static boolean is(String image, String repository) {
        String repo = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int colon = repo.lastIndexOf(':');
        if (colon > repo.lastIndexOf('/')) {
            repo = repo.substring(0, colon);
        }
        return repo.equals(repository) || repo.endsWith("/" + repository);
    }
}
