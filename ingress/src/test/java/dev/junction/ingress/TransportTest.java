package dev.junction.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.Test;

/** The transport choice: native epoll when it loads, NIO when forced or unavailable. */
class TransportTest {
    @Test
    void preferredFollowsAvailabilityAndTheForcingProperty() {
        boolean forcedNio = "nio".equalsIgnoreCase(System.getProperty("junction.ingress.transport", ""));
        Transport expected = !forcedNio && Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
        assertThat(Transport.preferred()).isEqualTo(expected);
    }

    @Test
    void epollLoadsOnLinuxX8664() {
        if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(Epoll.isAvailable()).as("native epoll: %s", Epoll.unavailabilityCause()).isTrue();
        }
    }

    @Test
    void channelClassesMatchTheTransport() {
        assertThat(Transport.EPOLL.serverChannel()).isEqualTo(EpollServerSocketChannel.class);
        assertThat(Transport.NIO.serverChannel()).isEqualTo(NioServerSocketChannel.class);
    }
}
