package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
/** {@link UserspaceProxierTest} on the JDK NIO fallback transport. */
class NioUserspaceProxierTest extends UserspaceProxierTest {
    @Override
    NettyTransport transport() {
        return NettyTransport.NIO;
    }
}
