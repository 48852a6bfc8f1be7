package dev.junction.proxy.userspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProxyTransportTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(ProxyTransport.PROPERTY);
    }

    @Test
    void prefersEpollWhereItLoads() {
        assertThat(ProxyTransport.select()).isEqualTo(Epoll.isAvailable() ? ProxyTransport.EPOLL : ProxyTransport.NIO);
    }

    @Test
    void propertyForcesNio() {
        System.setProperty(ProxyTransport.PROPERTY, "NIO");
        assertThat(ProxyTransport.select()).isEqualTo(ProxyTransport.NIO);
        assertThat(ProxyTransport.NIO.serverChannel()).isEqualTo(NioServerSocketChannel.class);
    }

    @Test
    void propertyForcesEpollOrFails() {
        System.setProperty(ProxyTransport.PROPERTY, "epoll");
        if (Epoll.isAvailable()) {
            assertThat(ProxyTransport.select().serverChannel()).isEqualTo(EpollServerSocketChannel.class);
        } else {
            assertThatThrownBy(ProxyTransport::select).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void unknownNameIsRejected() {
        System.setProperty(ProxyTransport.PROPERTY, "kqueue");
        assertThatThrownBy(ProxyTransport::select).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(ProxyTransport.PROPERTY + ": kqueue (expected: nio or epoll)");
    }
}
