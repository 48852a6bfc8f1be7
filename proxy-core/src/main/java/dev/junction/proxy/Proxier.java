package dev.junction.proxy;

/**
 * One proxy mode's data-plane programmer, like upstream {@code proxy.Provider}'s
 * {@code syncProxyRules}: makes the node's rules match a snapshot. Called by
 * {@link ProxyController} on the runner thread only, never concurrently.
 */
@FunctionalInterface
public interface Proxier {

    /**
     * Programs the full desired state.
     *
     * @throws RuntimeException when the rules could not be applied; the controller retries
     */
    void sync(ProxySnapshot snapshot, NodeInfo node);
}
