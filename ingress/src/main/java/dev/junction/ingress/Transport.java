package dev.junction.ingress;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty transport of the data plane: the event loops' I/O handler, the listeners' channel class
 * and the endpoint connections' channel class, which must belong together (an epoll channel only
 * registers with an epoll event loop). {@link #EPOLL} is Netty's native Linux transport
 * (netty-transport-native-epoll: {@code epoll_wait} and {@code read}/{@code writev} on the file
 * descriptors, edge-triggered by default, no JDK selector or {@code SelectionKey} sets, fewer
 * copies into and out of direct buffers); {@link #NIO} is the JDK selector transport, used when the
 * native library does not load (another OS or architecture) or when forced.
 *
 * <p>{@link #preferred()} picks {@code EPOLL} when {@link Epoll#isAvailable()}; the system property
 * {@code junction.ingress.transport=nio} forces NIO (the same pattern as the API server's choice in
 * {@code apiserver}'s {@code ApiServer}).
 */
enum Transport {
    /** Netty's native epoll transport (Linux). */
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class),
    /** The JDK's selector-based transport (any OS). */
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class);

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    private final Supplier<IoHandlerFactory> ioHandler;
    private final Class<? extends ServerChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;

    Transport(Supplier<IoHandlerFactory> ioHandler, Class<? extends ServerChannel> serverChannel,
            Class<? extends SocketChannel> socketChannel) {
        this.ioHandler = ioHandler;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
    }

    /** A new I/O handler factory for one event loop group of this transport. */
    IoHandlerFactory ioHandlerFactory() {
        return ioHandler.get();
    }

    /** The listener channel class (registers only with this transport's event loops). */
    Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }

    /** The channel class of connections to endpoints (registers only with this transport's event loops). */
    Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    /**
     * {@link #EPOLL} when its native library loads and {@code junction.ingress.transport} is not
     * {@code nio}; else {@link #NIO}.
     */
    static Transport preferred() {
        if ("nio".equalsIgnoreCase(System.getProperty("junction.ingress.transport", ""))) {
            return NIO;
        }
        if (Epoll.isAvailable()) {
            return EPOLL;
        }
        log.info("transport: NIO (native epoll unavailable: {})", String.valueOf(Epoll.unavailabilityCause()));
        return NIO;
    }
}
