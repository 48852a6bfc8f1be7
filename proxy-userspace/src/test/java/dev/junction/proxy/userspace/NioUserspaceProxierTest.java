package dev.junction.proxy.userspace;

/** {@link UserspaceProxierTest} on the JDK NIO fallback transport. */
class NioUserspaceProxierTest extends UserspaceProxierTest {
    @Override
    ProxyTransport transport() {
        return ProxyTransport.NIO;
    }
}
