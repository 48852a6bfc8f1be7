package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

/**
 * Who is writing, for {@link ManagedFields}: the {@code fieldManager} of the request (or the
 * program name from its User-Agent, as upstream defaults it) and, for server-side apply, whether
 * conflicts are overridden ({@code force=true}).
 *
 * @param manager the field manager; empty for the server's own writes, which are not recorded
 * @param force   take over conflicting fields on apply
 */
record FieldOwner(String manager, boolean force) {
    /** The server's own writes (bootstrap, binding): ownership is left as it is. */
    static final FieldOwner NONE = new FieldOwner("", false);

    FieldOwner {
        requireNonNull(manager, "manager");
        if (manager.length() > 128) {
            throw ApiException.badRequest("fieldManager: Too long: must have at most 128 bytes");
        }
    }

    /** Upstream's default manager: the User-Agent up to the first {@code /}, else {@code unknown}. */
    static String fromUserAgent(String userAgent) {
        String ua = userAgent == null ? "" : userAgent.trim();
        int slash = ua.indexOf('/');
        String name = slash >= 0 ? ua.substring(0, slash) : ua;
        return name.isEmpty() ? "unknown" : name.length() > 128 ? name.substring(0, 128) : name;
    }
}
