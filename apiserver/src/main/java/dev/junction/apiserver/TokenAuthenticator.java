package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Static bearer-token authentication as kube-apiserver's {@code --token-auth-file}
 * ({@code k8s.io/apiserver/plugin/pkg/authenticator/token/tokenfile}): a CSV file of
 * {@code token,user,uid[,"group1,group2"]} lines. A request authenticates with
 * {@code Authorization: Bearer <token>}; the comparison is constant-time.
 */
public final class TokenAuthenticator {
    /** An authenticated user. */
    public record User(String name, String uid, List<String> groups) {
    }

    private final Map<String, User> byToken;

    private TokenAuthenticator(Map<String, User> byToken) {
        this.byToken = Map.copyOf(byToken);
    }

    /**
     * Reads a token file.
     *
     * @throws IllegalArgumentException naming the line when a line has fewer than three fields
     */
    public static TokenAuthenticator load(Path file) {
        requireNonNull(file, "file");
        Map<String, User> out = new LinkedHashMap<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                List<String> f = csv(line);
                if (f.size() < 3) {
                    throw new IllegalArgumentException("token file " + file + " line " + n + ": " + f.size()
                            + " fields (expected: token,user,uid[,groups])");
                }
                List<String> groups = f.size() > 3 && !f.get(3).isEmpty() ? List.of(f.get(3).split(",")) : List.of();
                out.put(f.get(0), new User(f.get(1), f.get(2), groups));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TokenAuthenticator(out);
    }

    /**
     * Writes a token file with one random 32-byte hex token per user (uid = user name, group
     * {@code system:masters} for {@code admin}) unless the file already exists; returns it loaded.
     */
    public static TokenAuthenticator ensure(Path file, List<String> users) {
        requireNonNull(file, "file");
        requireNonNull(users, "users");
        if (!Files.exists(file)) {
            SecureRandom random = new SecureRandom();
            StringBuilder sb = new StringBuilder();
            for (String u : users) {
                byte[] b = new byte[32];
                random.nextBytes(b);
                sb.append(HexFormat.of().formatHex(b)).append(',').append(u).append(',').append(u)
                        .append(u.equals("admin") ? ",\"system:masters\"" : "").append('\n');
            }
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
                Files.writeString(tmp, sb.toString());
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return load(file);
    }

    /** The user for an {@code Authorization} header value, if it carries a known bearer token. */
    public Optional<User> authenticate(Optional<String> authorization) {
        if (authorization.isEmpty() || !authorization.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        byte[] presented = authorization.get().substring(7).trim().getBytes(StandardCharsets.UTF_8);
        User found = null;
        for (Map.Entry<String, User> e : byToken.entrySet()) {
            if (MessageDigest.isEqual(presented, e.getKey().getBytes(StandardCharsets.UTF_8))) {
                found = e.getValue();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The token of {@code user} (for writing kubeconfigs), if present. */
    public Optional<String> tokenOf(String user) {
        return byToken.entrySet().stream().filter(e -> e.getValue().name().equals(user)).map(Map.Entry::getKey).findFirst();
    }

    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString().trim());
        return out;
    }
}
