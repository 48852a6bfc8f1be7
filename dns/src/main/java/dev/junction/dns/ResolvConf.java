package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a resolv.conf (resolv.conf(5)) the DNS server uses: {@code nameserver} lines (the
 * default upstreams, like CoreDNS's {@code forward . /etc/resolv.conf}) and the last
 * {@code search} line (appended by autopath after the cluster suffixes, as kubelet appends the
 * node's search list to a pod's). IPv6 zone ids are dropped; non-literal entries are skipped.
 *
 * @param nameservers the nameserver addresses, in file order
 * @param search      the search domains
 */
public record ResolvConf(List<InetAddress> nameservers, List<String> search) {
    /** No nameservers, no search list. */
    public static final ResolvConf EMPTY = new ResolvConf(List.of(), List.of());

    public ResolvConf {
        nameservers = List.copyOf(requireNonNull(nameservers, "nameservers"));
        search = List.copyOf(requireNonNull(search, "search"));
    }

    /** Parses resolv.conf text. */
    public static ResolvConf parse(String text) {
        List<InetAddress> ns = new ArrayList<>();
        List<String> search = new ArrayList<>();
        for (String line : requireNonNull(text, "text").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals("nameserver")) {
                String addr = f[1];
                int pct = addr.indexOf('%');
                IpLiterals.parse(pct >= 0 ? addr.substring(0, pct) : addr).ifPresent(ns::add);
            } else if (f.length >= 2 && (f[0].equals("search") || f[0].equals("domain"))) {
                search.clear();
                for (int i = 1; i < f.length; i++) {
                    if (!f[i].isEmpty() && !f[i].equals(".")) {
                        search.add(f[i]);
                    }
                }
            }
        }
        return new ResolvConf(ns, search);
    }

    /**
     * Reads and parses {@code path}; a missing file is {@link #EMPTY}.
     *
     * @throws IOException when the file exists but cannot be read
     */
    public static ResolvConf read(Path path) throws IOException {
        try {
            return parse(Files.readString(path));
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
    }
}
