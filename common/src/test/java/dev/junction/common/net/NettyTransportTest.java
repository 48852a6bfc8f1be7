package dev.junction.common.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.uring.IoUring;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real loopback sockets on each transport this host can run. */
class NettyTransportTest {
    private static final String PROPERTY = "junction.test.transport";

    @Test
    void selectHonoursTheProperty() {
        try {
            System.setProperty(PROPERTY, " NIO ");
            assertThat(NettyTransport.select(PROPERTY)).isEqualTo(NettyTransport.NIO);
            if (IoUring.isAvailable()) {
                System.setProperty(PROPERTY, "io_uring");
                assertThat(NettyTransport.select(PROPERTY)).isEqualTo(NettyTransport.IO_URING);
            }
            System.setProperty(PROPERTY, "carrier-pigeon");
            assertThatThrownBy(() -> NettyTransport.select(PROPERTY))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carrier-pigeon");
            System.clearProperty(PROPERTY);
            assertThat(NettyTransport.select(PROPERTY))
                    .isEqualTo(Epoll.isAvailable() ? NettyTransport.EPOLL : NettyTransport.NIO);
        } finally {
            System.clearProperty(PROPERTY);
        }
    }

    @Test
    void epollOnLinuxX86WithTheNativeJar() {
        // The root pom ships netty-transport-native-epoll:linux-x86_64; on that platform it must load,
        // or every server silently falls back to NIO (it happened with Netty 4.2.19/4.2.20).
        boolean linuxX86 = System.getProperty("os.name").startsWith("Linux")
                && List.of("amd64", "x86_64").contains(System.getProperty("os.arch"));
        if (linuxX86) {
            assertThat(Epoll.isAvailable()).as("epoll: %s", Epoll.unavailabilityCause()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    void tcpEchoAndUdpWithReusePort(NettyTransport transport) throws Exception {
        if (transport == NettyTransport.EPOLL && !Epoll.isAvailable()) {
            return; // covered by epollOnLinuxX86WithTheNativeJar where it matters
        }
        // io_uring may be refused by the kernel (< 5.14, kernel.io_uring_disabled, seccomp in containers)
        Assumptions.assumeTrue(transport != NettyTransport.IO_URING || IoUring.isAvailable(),
                () -> "io_uring unavailable here: " + IoUring.unavailabilityCause());
        InetAddress loopback = InetAddress.getLoopbackAddress();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, transport.ioHandlerFactory());
        List<Channel> channels = new ArrayList<>();
        try {
            Channel tcp = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<io.netty.buffer.ByteBuf>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf msg) {
                                    ctx.writeAndFlush(msg.retain());
                                }
                            });
                        }
                    }).bind(new InetSocketAddress(loopback, 0)).sync().channel();
            channels.add(tcp);
            try (Socket s = new Socket(loopback, ((InetSocketAddress) tcp.localAddress()).getPort())) {
                s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            }

            Bootstrap udp = transport.reusePort(new Bootstrap().group(group).channel(transport.datagramChannel())
                    .handler(new EchoDatagrams()));
            Channel first = udp.bind(new InetSocketAddress(loopback, 0)).sync().channel();
            channels.add(first);
            int port = ((InetSocketAddress) first.localAddress()).getPort();
            channels.add(udp.bind(new InetSocketAddress(loopback, port)).sync().channel()); // same port: SO_REUSEPORT
            try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
                client.setSoTimeout(5000);
                byte[] out = "pong".getBytes(StandardCharsets.US_ASCII);
                client.send(new java.net.DatagramPacket(out, out.length, loopback, port));
                java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[16], 16);
                client.receive(in);
                assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII)).isEqualTo("pong");
            }
        } finally {
            channels.forEach(c -> c.close().syncUninterruptibly());
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Sends each datagram back to its sender; one instance serves every socket of the port. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class EchoDatagrams extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ctx.writeAndFlush(new DatagramPacket(p.content().retain(), p.sender()));
        }
    }
}
