package dev.junction.cni;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The three settings of a {@code resolv.conf(5)} that Kubernetes manages, like the CRI
 * {@code DNSConfig} message.
 *
 * @param nameservers server addresses, in order
 * @param searches    search domains, in order
 * @param options     options such as {@code ndots:5} or {@code edns0}
 */
public record ResolvConf(List<String> nameservers, List<String> searches, List<String> options) {

    /** No servers, searches or options. */
    public static final ResolvConf EMPTY = new ResolvConf(List.of(), List.of(), List.of());

    public ResolvConf {
        nameservers = List.copyOf(nameservers);
        searches = List.copyOf(searches);
        options = List.copyOf(options);
    }

    /**
     * Parses {@code nameserver}, {@code search}/{@code domain} and {@code options} lines, as kubelet's
     * {@code parseResolvConf} ({@code pkg/kubelet/network/dns/dns.go}); comments are ignored and the
     * last {@code search} line wins.
     */
    public static ResolvConf parse(String text) {
        requireNonNull(text, "text");
        List<String> servers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "nameserver" -> {
                    if (f.length > 1) {
                        servers.add(f[1]);
                    }
                }
                case "search", "domain" -> {
                    searches.clear();
                    for (int i = 1; i < f.length; i++) {
                        searches.add(f[i]);
                    }
                }
                case "options" -> {
                    for (int i = 1; i < f.length; i++) {
                        options.add(f[i]);
                    }
                }
                default -> {
                }
            }
        }
        return new ResolvConf(servers, searches, options);
    }

    /**
     * The file text as containerd's CRI plugin writes it: a {@code search} line, one
     * {@code nameserver} line per server, an {@code options} line; empty parts are left out.
     */
    public String render() {
        StringBuilder out = new StringBuilder();
        if (!searches.isEmpty()) {
            out.append("search ").append(String.join(" ", searches)).append('\n');
        }
        for (String server : nameservers) {
            out.append("nameserver ").append(server).append('\n');
        }
        if (!options.isEmpty()) {
            out.append("options ").append(String.join(" ", options)).append('\n');
        }
        return out.toString();
    }
}
