package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DNS server's configuration file: a subset of CoreDNS's Corefile syntax
 * ({@code coredns.io/manual/configuration}), one server block, the plugins Junction implements and
 * CoreDNS's option names. Unknown plugins ({@code errors}, {@code log}, {@code reload}, ...) are
 * ignored; unknown options of known plugins are errors.
 *
 * <pre>
 * .:53 {
 *     bind 127.0.0.1
 *     kubernetes cluster.local example.local in-addr.arpa ip6.arpa {
 *         pods insecure                    # disabled | insecure | verified
 *         endpoint_pod_names
 *         noendpoints
 *         ttl 5
 *         fallthrough in-addr.arpa ip6.arpa
 *         ignore empty_service
 *     }
 *     forward . 10.0.0.2 10.0.0.3:5353     # or: forward . /etc/resolv.conf
 *     cache 30 {
 *         success 9984 30
 *         denial 9984 5
 *     }
 *     autopath @kubernetes
 *     loadbalance round_robin
 *     health :8080                         # /healthz, /readyz and /metrics share this port
 * }
 * </pre>
 *
 * Every field is empty when the file does not set it; {@link DnsServerCommand} lets flags given on
 * the command line win.
 *
 * @param port               from the server block key {@code .:PORT}
 * @param bind               {@code bind ADDRESS}
 * @param zones              {@code kubernetes ZONES...}
 * @param pods               {@code pods MODE}
 * @param endpointPodNames   {@code endpoint_pod_names}
 * @param noEndpoints        {@code noendpoints}
 * @param ttl                {@code ttl SECONDS}
 * @param fallthrough        {@code fallthrough [ZONES...]} (empty list = all zones)
 * @param ignoreEmptyService {@code ignore empty_service}
 * @param upstreams          {@code forward . TO...} ({@code host[:port]} or a resolv.conf path)
 * @param cacheTtl           {@code cache [TTL]} (maximum TTL of both kinds)
 * @param successCapacity    {@code success CAPACITY [TTL]}
 * @param successTtl         its TTL
 * @param denialCapacity     {@code denial CAPACITY [TTL]}
 * @param denialTtl          its TTL
 * @param autopath           {@code autopath @kubernetes}
 * @param roundRobin         {@code loadbalance [round_robin]}
 * @param healthPort         {@code health [:PORT]}
 */
public record Corefile(Optional<Integer> port, Optional<String> bind, Optional<List<String>> zones,
        Optional<PodsMode> pods, boolean endpointPodNames, boolean noEndpoints, Optional<Long> ttl,
        Optional<List<String>> fallthrough, boolean ignoreEmptyService, Optional<List<String>> upstreams,
        Optional<Long> cacheTtl, Optional<Integer> successCapacity, Optional<Long> successTtl,
        Optional<Integer> denialCapacity, Optional<Long> denialTtl, boolean autopath, boolean roundRobin,
        Optional<Integer> healthPort) {

    /**
     * Parses a Corefile.
     *
     * @throws IllegalArgumentException with {@code line N: ...} on a syntax error or a bad value
     */
    public static Corefile parse(String text) {
        requireNonNull(text, "text");
        return new Parser(tokenize(text)).file();
    }

    /**
     * Applies every setting of this file to {@code b} (bind, port, upstreams and health port
     * excepted, which the command resolves). What the file leaves out takes CoreDNS's default, not
     * the builder's: {@code pods disabled}, no cache, no autopath, no round robin.
     */
    public void applyTo(DnsServerBuilder b) {
        requireNonNull(b, "b");
        zones.ifPresent(b::zones);
        b.pods(pods.orElse(PodsMode.DISABLED));
        if (endpointPodNames) {
            b.endpointPodNames(true);
        }
        if (noEndpoints) {
            b.noEndpoints(true);
        }
        ttl.ifPresent(b::ttl);
        fallthrough.ifPresent(b::fallthrough);
        if (ignoreEmptyService) {
            b.ignoreEmptyService(true);
        }
        if (cacheTtl.isPresent()) {
            long max = cacheTtl.get();
            b.cache(successCapacity.orElse(9984), successTtl.orElse(max), denialCapacity.orElse(9984),
                    denialTtl.orElse(Math.min(max, 1800L)));
        } else {
            b.cache(0, 0, 0, 0);
        }
        b.autopath(autopath);
        b.roundRobin(roundRobin);
    }

    private record Token(String text, int line) {
    }

    private static List<Token> tokenize(String text) {
        List<Token> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.replace("{", " { ").replace("}", " } ");
            for (String t : line.trim().split("\\s+")) {
                if (!t.isEmpty()) {
                    out.add(new Token(t, i + 1));
                }
            }
            out.add(new Token("\n", i + 1));
        }
        return out;
    }

    private static final class Parser {
        private final List<Token> tokens;
        private int at;
        Optional<Integer> port = Optional.empty();
        Optional<String> bind = Optional.empty();
        Optional<List<String>> zones = Optional.empty();
        Optional<PodsMode> pods = Optional.empty();
        boolean endpointPodNames;
        boolean noEndpoints;
        Optional<Long> ttl = Optional.empty();
        Optional<List<String>> fallthrough = Optional.empty();
        boolean ignoreEmptyService;
        Optional<List<String>> upstreams = Optional.empty();
        Optional<Long> cacheTtl = Optional.empty();
        Optional<Integer> successCapacity = Optional.empty();
        Optional<Long> successTtl = Optional.empty();
        Optional<Integer> denialCapacity = Optional.empty();
        Optional<Long> denialTtl = Optional.empty();
        boolean autopath;
        boolean roundRobin;
        Optional<Integer> healthPort = Optional.empty();

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        Corefile file() {
            skipNewlines();
            if (at >= tokens.size()) {
                throw new IllegalArgumentException("line 1: empty Corefile (expected: a server block such as .:53 { ... })");
            }
            Token key = tokens.get(at++);
            int colon = key.text().lastIndexOf(':');
            if (colon >= 0) {
                port = Optional.of(intValue(key, key.text().substring(colon + 1), 0, 65535));
            }
            expect("{");
            while (true) {
                skipNewlines();
                Token t = next();
                if (t.text().equals("}")) {
                    break;
                }
                List<Token> args = rest();
                directive(t, args);
            }
            skipNewlines();
            if (at < tokens.size()) {
                throw error(tokens.get(at), "only one server block is supported");
            }
            return new Corefile(port, bind, zones, pods, endpointPodNames, noEndpoints, ttl, fallthrough,
                    ignoreEmptyService, upstreams, cacheTtl, successCapacity, successTtl, denialCapacity, denialTtl,
                    autopath, roundRobin, healthPort);
        }

        private void directive(Token d, List<Token> args) {
            switch (d.text()) {
                case "bind" -> bind = Optional.of(single(d, args).text());
                case "kubernetes" -> {
                    if (!args.isEmpty()) {
                        zones = Optional.of(args.stream().map(Token::text).toList());
                    }
                    block(d, this::kubernetesOption);
                }
                case "forward" -> {
                    if (args.size() < 2 || !args.get(0).text().equals(".")) {
                        throw error(d, "forward . TO... (expected: '.' and at least one upstream)");
                    }
                    upstreams = Optional.of(args.subList(1, args.size()).stream().map(Token::text).toList());
                    block(d, (o, a) -> { });
                }
                case "cache" -> {
                    if (!args.isEmpty()) {
                        cacheTtl = Optional.of((long) intValue(args.get(0), args.get(0).text(), 0, Integer.MAX_VALUE));
                    } else {
                        cacheTtl = Optional.of(3600L);
                    }
                    block(d, this::cacheOption);
                }
                case "autopath" -> {
                    if (args.size() != 1 || !args.get(0).text().equals("@kubernetes")) {
                        throw error(d, "autopath " + texts(args) + " (expected: autopath @kubernetes)");
                    }
                    autopath = true;
                }
                case "loadbalance" -> {
                    if (!args.isEmpty() && !(args.size() == 1 && args.get(0).text().equals("round_robin"))) {
                        throw error(d, "loadbalance " + texts(args) + " (expected: loadbalance [round_robin])");
                    }
                    roundRobin = true;
                }
                case "health" -> {
                    if (!args.isEmpty()) {
                        String v = args.get(0).text();
                        healthPort = Optional.of(intValue(args.get(0), v.substring(v.lastIndexOf(':') + 1), 0, 65535));
                    }
                    block(d, (o, a) -> { });
                }
                default -> block(d, (o, a) -> { });
            }
        }

        private void kubernetesOption(Token o, List<Token> args) {
            switch (o.text()) {
                case "pods" -> {
                    try {
                        pods = Optional.of(PodsMode.parse(single(o, args).text()));
                    } catch (IllegalArgumentException e) {
                        throw error(o, e.getMessage());
                    }
                }
                case "endpoint_pod_names" -> endpointPodNames = true;
                case "noendpoints" -> noEndpoints = true;
                case "ttl" -> ttl = Optional.of((long) intValue(o, single(o, args).text(), 0, 3600));
                case "fallthrough" -> fallthrough = Optional.of(args.stream().map(Token::text).toList());
                case "ignore" -> {
                    if (!single(o, args).text().equals("empty_service")) {
                        throw error(o, "ignore " + texts(args) + " (expected: ignore empty_service)");
                    }
                    ignoreEmptyService = true;
                }
                case "kubeconfig", "endpoint", "namespaces", "labels", "namespace_labels" -> {
                    // Connection and filtering options: the command's --server/--kubeconfig decide.
                }
                default -> throw error(o, "kubernetes option " + o.text()
                        + " (expected: pods, endpoint_pod_names, noendpoints, ttl, fallthrough or ignore)");
            }
        }

        private void cacheOption(Token o, List<Token> args) {
            if (!o.text().equals("success") && !o.text().equals("denial")) {
                throw error(o, "cache option " + o.text() + " (expected: success or denial)");
            }
            if (args.isEmpty() || args.size() > 3) {
                throw error(o, o.text() + " " + texts(args) + " (expected: CAPACITY [TTL [MINTTL]])");
            }
            int capacity = intValue(args.get(0), args.get(0).text(), 0, Integer.MAX_VALUE);
            Optional<Long> t = args.size() > 1
                    ? Optional.of((long) intValue(args.get(1), args.get(1).text(), 0, Integer.MAX_VALUE))
                    : Optional.empty();
            if (o.text().equals("success")) {
                successCapacity = Optional.of(capacity);
                successTtl = t.or(() -> successTtl);
            } else {
                denialCapacity = Optional.of(capacity);
                denialTtl = t.or(() -> denialTtl);
            }
        }

        private interface Option {
            void apply(Token option, List<Token> args);
        }

        /** Parses an optional {@code { option args... }} block after a directive's arguments. */
        private void block(Token directive, Option option) {
            if (at < tokens.size() && tokens.get(at).text().equals("{")) {
                at++;
                while (true) {
                    skipNewlines();
                    Token t = next();
                    if (t.text().equals("}")) {
                        break;
                    }
                    option.apply(t, rest());
                }
            }
        }

        /** The tokens up to the end of the line or an opening brace. */
        private List<Token> rest() {
            List<Token> args = new ArrayList<>();
            while (at < tokens.size() && !tokens.get(at).text().equals("\n") && !tokens.get(at).text().equals("{")
                    && !tokens.get(at).text().equals("}")) {
                args.add(tokens.get(at++));
            }
            return args;
        }

        private Token next() {
            if (at >= tokens.size()) {
                Token last = tokens.isEmpty() ? new Token("", 1) : tokens.get(tokens.size() - 1);
                throw error(last, "unexpected end of file (expected: '}')");
            }
            return tokens.get(at++);
        }

        private void expect(String text) {
            Token t = next();
            if (!t.text().equals(text)) {
                throw error(t, "'" + t.text() + "' (expected: '" + text + "')");
            }
        }

        private void skipNewlines() {
            while (at < tokens.size() && tokens.get(at).text().equals("\n")) {
                at++;
            }
        }

        private static Token single(Token d, List<Token> args) {
            if (args.size() != 1) {
                throw error(d, d.text() + " " + texts(args) + " (expected: exactly one argument)");
            }
            return args.get(0);
        }

        private static int intValue(Token t, String text, int min, int max) {
            try {
                int v = Integer.parseInt(text);
                if (v >= min && v <= max) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // fall through to the error
            }
            throw error(t, text + " (expected: an integer " + min + "-" + max + ")");
        }

        private static String texts(List<Token> args) {
            return String.join(" ", args.stream().map(Token::text).toList());
        }

        private static IllegalArgumentException error(Token t, String message) {
            return new IllegalArgumentException("line " + t.line() + ": " + message);
        }
    }
}
