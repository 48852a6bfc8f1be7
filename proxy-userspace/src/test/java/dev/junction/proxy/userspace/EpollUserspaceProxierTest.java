package dev.junction.proxy.userspace;

import dev.junction.common.net.NettyTransport;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.BeforeAll;

/** {@link UserspaceProxierTest} on the native epoll transport (skipped where it cannot load). */
class EpollUserspaceProxierTest extends UserspaceProxierTest {
    @BeforeAll
    static void epollAvailable() {
        assumeTrue(Epoll.isAvailable(), () -> "epoll unavailable: " + Epoll.unavailabilityCause());
    }

    @Override
    NettyTransport transport() {
        return NettyTransport.EPOLL;
    }
}
