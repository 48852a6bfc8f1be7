package dev.junction.proxy.userspace;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;

/**
 * The Netty transport of the userspace proxy's listeners and upstream connections: Linux native
 * epoll ({@code netty-transport-native-epoll}, edge-triggered, no selector garbage) when
 * {@link Epoll#isAvailable()}, else JDK NIO. The same choice as the API server's
 * ({@code ApiServer}: {@code EpollIoHandler} vs {@code NioIoHandler}). The system property
 * {@value #PROPERTY} ({@code nio} or {@code epoll}) forces one; asking for {@code epoll} where it is
 * unavailable fails with {@link Epoll#unavailabilityCause()}.
 */
public enum ProxyTransport {
    /** Linux epoll through Netty's JNI transport. */
    EPOLL(EpollServerSocketChannel.class, EpollSocketChannel.class, EpollDatagramChannel.class),
    /** JDK NIO selectors (portable fallback). */
    NIO(NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class);

    /** System property that forces a transport: {@code nio} or {@code epoll}. */
    public static final String PROPERTY = "junction.proxy.userspace.transport";

    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;
    private final Class<? extends DatagramChannel> datagramChannel;

    ProxyTransport(Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> socketChannel,
            Class<? extends DatagramChannel> datagramChannel) {
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
        this.datagramChannel = datagramChannel;
    }

    /**
     * The transport to use: {@value #PROPERTY} when set, else epoll when available, else NIO.
     *
     * @throws IllegalArgumentException when the property names no transport
     * @throws IllegalStateException    when the property asks for epoll and it is unavailable
     */
    public static ProxyTransport select() {
        String forced = System.getProperty(PROPERTY, "").strip().toLowerCase(Locale.ROOT);
        return switch (forced) {
            case "" -> Epoll.isAvailable() ? EPOLL : NIO;
            case "nio" -> NIO;
            case "epoll" -> EPOLL.requireAvailable();
            default -> throw new IllegalArgumentException(PROPERTY + ": " + forced + " (expected: nio or epoll)");
        };
    }

    /**
     * This transport, when it can run here.
     *
     * @throws IllegalStateException for epoll without its native library
     */
    public ProxyTransport requireAvailable() {
        if (this == EPOLL && !Epoll.isAvailable()) {
            throw new IllegalStateException("epoll transport unavailable", Epoll.unavailabilityCause());
        }
        return this;
    }

    /** The I/O handler of the event loops. */
    public IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** TCP listener channel class. */
    public Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    /** TCP connection channel class (upstream connections). */
    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    /** UDP channel class (listeners and sessions). */
    public Class<? extends DatagramChannel> datagramChannel() {
        return datagramChannel;
    }
}
