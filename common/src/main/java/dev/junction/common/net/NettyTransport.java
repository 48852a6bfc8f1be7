package dev.junction.common.net;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.StandardSocketOptions;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A Netty transport: the event loops' I/O handler and the channel classes that register with them
 * (an epoll channel only registers with an epoll event loop, so they are chosen together).
 *
 * <p>{@link #EPOLL} is Netty's native Linux transport ({@code netty-transport-native-epoll},
 * classifier {@code linux-x86_64}: {@code epoll_wait}, {@code read}/{@code writev} and, for UDP,
 * {@code sendmmsg} when several datagrams are flushed together; no JDK selector garbage);
 * {@link #IO_URING} is Netty 4.2's io_uring transport ({@code netty-transport-native-io_uring}, Linux
 * ≥ 5.14: reads and writes are queued on a submission ring and many of them enter the kernel in one
 * {@code io_uring_enter}, io_uring(7)); {@link #NIO} is the JDK selector transport, the fallback on
 * other platforms. See Netty's "Native transports" documentation (netty.io/wiki/native-transports.html).
 *
 * <p>Each server picks one with {@link #select(String)}, passing its own system property
 * ({@code nio}, {@code epoll} or {@code io_uring} forces one; unset means epoll when
 * {@link Epoll#isAvailable()}).
 */
public enum NettyTransport {
    /** Linux epoll through Netty's JNI transport. */
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class,
            EpollDatagramChannel.class),
    /** Linux io_uring through Netty's JNI transport (kernel ≥ 5.14, not disabled by {@code kernel.io_uring_disabled}). */
    IO_URING(IoUringIoHandler::newFactory, IoUringServerSocketChannel.class, IoUringSocketChannel.class,
            IoUringDatagramChannel.class),
    /** JDK NIO selectors (portable fallback). */
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class);

    private final Supplier<IoHandlerFactory> ioHandler;
    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;
    private final Class<? extends DatagramChannel> datagramChannel;

    NettyTransport(Supplier<IoHandlerFactory> ioHandler, Class<? extends ServerChannel> serverChannel,
            Class<? extends SocketChannel> socketChannel, Class<? extends DatagramChannel> datagramChannel) {
        this.ioHandler = ioHandler;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
        this.datagramChannel = datagramChannel;
    }

    /**
     * The transport named by the system property {@code property} ({@code nio}, {@code epoll} or
     * {@code io_uring}, case and surrounding blanks ignored); when it is unset or blank, {@link #EPOLL} if its native library
     * loads, else {@link #NIO}.
     *
     * @param property the component's system property, e.g. {@code junction.dns.transport}
     * @throws IllegalArgumentException when the property names no transport
     * @throws IllegalStateException    when it asks for epoll or io_uring and that is unavailable here
     *                                  (the cause is {@link Epoll#unavailabilityCause()} or
     *                                  {@link IoUring#unavailabilityCause()})
     */
    public static NettyTransport select(String property) {
        String forced = System.getProperty(property, "").strip().toLowerCase(Locale.ROOT);
        return switch (forced) {
            case "" -> Epoll.isAvailable() ? EPOLL : NIO;
            case "nio" -> NIO;
            case "epoll" -> EPOLL.requireAvailable();
            case "io_uring" -> IO_URING.requireAvailable();
            default -> throw new IllegalArgumentException(property + ": " + forced + " (expected: nio, epoll or io_uring)");
        };
    }

    /**
     * This transport, when it can run here.
     *
     * @throws IllegalStateException for epoll or io_uring when its native library does not load or the
     *                               kernel refuses it
     */
    public NettyTransport requireAvailable() {
        if (this == EPOLL && !Epoll.isAvailable()) {
            throw new IllegalStateException("epoll transport unavailable", Epoll.unavailabilityCause());
        }
        if (this == IO_URING && !IoUring.isAvailable()) {
            throw new IllegalStateException("io_uring transport unavailable", IoUring.unavailabilityCause());
        }
        return this;
    }

    /** A new I/O handler factory, one per event loop group. */
    public IoHandlerFactory ioHandlerFactory() {
        return ioHandler.get();
    }

    /** The TCP listener channel class. */
    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    /** The TCP connection channel class (outgoing connections). */
    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    /** The UDP channel class. */
    public Class<? extends DatagramChannel> datagramChannel() {
        return datagramChannel;
    }

    /**
     * Sets {@code SO_REUSEPORT} (Linux ≥ 3.9, socket(7)) on the channels {@code bootstrap} creates, so
     * several sockets can bind one address and port and the kernel spreads flows or datagrams over
     * them: {@link EpollChannelOption#SO_REUSEPORT} on epoll, {@link IoUringChannelOption#SO_REUSEPORT}
     * on io_uring, the JDK's {@link StandardSocketOptions#SO_REUSEPORT} on NIO.
     *
     * @return {@code bootstrap}, for chaining
     */
    public <B extends AbstractBootstrap<B, ?>> B reusePort(B bootstrap) {
        ChannelOption<Boolean> option = switch (this) {
            case EPOLL -> EpollChannelOption.SO_REUSEPORT;
            case IO_URING -> IoUringChannelOption.SO_REUSEPORT;
            case NIO -> NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
        };
        return bootstrap.option(option, true);
    }

    /** {@code epoll}, {@code io_uring} or {@code nio}: the value {@link #select(String)} accepts, for logs. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
