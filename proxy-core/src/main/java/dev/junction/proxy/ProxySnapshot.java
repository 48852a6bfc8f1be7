package dev.junction.proxy;

import static java.util.Objects.requireNonNull;

/**
 * Everything a proxier renders from at one instant: the Service ports and their endpoints.
 *
 * @param services   all proxied Service ports
 * @param endpoints  endpoints per Service port
 */
public record ProxySnapshot(ServicePortMap services, EndpointsMap endpoints) {
    /** Nothing at all. */
    public static final ProxySnapshot EMPTY = new ProxySnapshot(ServicePortMap.EMPTY, EndpointsMap.EMPTY);

    public ProxySnapshot {
        requireNonNull(services, "services");
        requireNonNull(endpoints, "endpoints");
    }
}
