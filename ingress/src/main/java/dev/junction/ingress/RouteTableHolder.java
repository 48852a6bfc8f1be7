package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The current {@link RouteTable} (and certificates), swapped atomically: readers do one volatile
 * read per request; a swap never touches open connections.
 */
public final class RouteTableHolder {
    private final AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.EMPTY);

    /** The current table. */
    public RouteTable get() {
        return table.get();
    }

    /** Publishes {@code next}. */
    public void set(RouteTable next) {
        table.set(requireNonNull(next, "next"));
    }
}
