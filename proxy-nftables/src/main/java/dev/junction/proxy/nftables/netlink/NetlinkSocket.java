package dev.junction.proxy.nftables.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@code NETLINK_NETFILTER} socket ({@code socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_NETFILTER)},
 * netlink(7)) through JNA's libc binding, optionally created inside another network namespace
 * ({@code setns(2)} on a short-lived thread; a socket stays in the namespace it was created in).
 * Linux LP64 only ({@code size_t} is mapped to {@code long}).
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_NETFILTER = 12;
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUFFORCE = 32;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int SO_RCVTIMEO = 20;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;
    /** sockaddr_nl of the kernel: nl_family AF_NETLINK, nl_pid 0, nl_groups 0. */
    private static final byte[] KERNEL = {AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    /** The libc calls used (glibc signatures). */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, int[] value, int len) throws LastErrorException;

        int setsockopt(int fd, int level, int name, long[] value, int len) throws LastErrorException;

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen) throws LastErrorException;

        long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final int fd;

    private NetlinkSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens a socket in the network namespace {@code netns} (a path such as
     * {@code /var/run/netns/NAME}), or in this process's namespace when empty. Buffers are raised to
     * {@code bufferBytes} ({@code SO_SNDBUFFORCE}/{@code SO_RCVBUFFORCE}, CAP_NET_ADMIN; ignored when refused).
     *
     * @throws NetlinkException when the namespace or the socket cannot be opened
     */
    public static NetlinkSocket open(Optional<Path> netns, int bufferBytes) {
        LibC c = LibC.INSTANCE;
        int fd;
        if (netns.isEmpty()) {
            fd = socket();
        } else {
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = Thread.ofPlatform().name("nft-netlink-setns").unstarted(() -> {
                try {
                    result.set(socketIn(netns.get()));
                } catch (RuntimeException e) {
                    result.set(e);
                }
            });
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NetlinkException("interrupted opening a netlink socket", e);
            }
            if (result.get() instanceof RuntimeException e) {
                throw e;
            }
            fd = (Integer) result.get();
        }
        try {
            c.setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, new int[] {bufferBytes}, 4);
            c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, new int[] {bufferBytes}, 4);
        } catch (LastErrorException ignored) {
            // not CAP_NET_ADMIN: keep the defaults; a batch too large for them fails with EMSGSIZE.
        }
        return new NetlinkSocket(fd);
    }

    /**
     * Raises the send buffer to {@code bytes} ({@code SO_SNDBUFFORCE}, CAP_NET_ADMIN): a netlink
     * datagram larger than the send buffer fails with EMSGSIZE. Refusal is ignored (the send then fails).
     */
    public void sendBuffer(int bytes) {
        try {
            LibC.INSTANCE.setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, new int[] {bytes}, 4);
        } catch (LastErrorException ignored) {
            // not CAP_NET_ADMIN
        }
    }

    /** Sets the receive timeout ({@code SO_RCVTIMEO}) in milliseconds. */
    public void receiveTimeout(long millis) {
        try {
            LibC.INSTANCE.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new long[] {millis / 1000, (millis % 1000) * 1000}, 16);
        } catch (LastErrorException e) {
            throw new NetlinkException("setsockopt(SO_RCVTIMEO): errno " + e.getErrorCode(), e);
        }
    }

    /** Sends {@code data} to the kernel in one datagram. @throws NetlinkException on failure */
    public void send(byte[] data) {
        try {
            long sent = LibC.INSTANCE.sendto(fd, data, data.length, 0, KERNEL, KERNEL.length);
            if (sent != data.length) {
                throw new NetlinkException("short netlink send: " + sent + " of " + data.length + " bytes");
            }
        } catch (LastErrorException e) {
            throw new NetlinkException("netlink sendto: errno " + e.getErrorCode(), e);
        }
    }

    /**
     * Receives one datagram into {@code buf}; returns its length, or -1 when the receive timeout
     * expired. @throws NetlinkException on other errors
     */
    public int receive(byte[] buf) {
        return receive(buf, 0);
    }

    /** Like {@link #receive(byte[])} but returns -1 at once when nothing is queued ({@code MSG_DONTWAIT}). */
    public int receiveNow(byte[] buf) {
        return receive(buf, MSG_DONTWAIT);
    }

    private int receive(byte[] buf, int flags) {
        try {
            return (int) LibC.INSTANCE.recv(fd, buf, buf.length, flags);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == 11) { // EAGAIN: SO_RCVTIMEO expired
                return -1;
            }
            throw new NetlinkException("netlink recv: errno " + e.getErrorCode(), e);
        }
    }

    @Override
    public void close() {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException ignored) {
            // nothing to do
        }
    }

    private static int socket() {
        try {
            return LibC.INSTANCE.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        } catch (LastErrorException e) {
            throw new NetlinkException("socket(AF_NETLINK, NETLINK_NETFILTER): errno " + e.getErrorCode(), e);
        }
    }

    /** Runs on a dedicated platform thread: enter {@code netns}, create the socket, go back. */
    private static int socketIn(Path netns) {
        LibC c = LibC.INSTANCE;
        int self;
        int target;
        try {
            self = c.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetlinkException("open /proc/thread-self/ns/net: errno " + e.getErrorCode(), e);
        }
        try {
            try {
                target = c.open(netns.toString(), O_RDONLY | O_CLOEXEC);
            } catch (LastErrorException e) {
                throw new NetlinkException("open " + netns + ": errno " + e.getErrorCode(), e);
            }
            try {
                c.setns(target, CLONE_NEWNET);
            } catch (LastErrorException e) {
                throw new NetlinkException("setns " + netns + ": errno " + e.getErrorCode(), e);
            } finally {
                c.close(target);
            }
            try {
                return socket();
            } finally {
                // The thread ends right after; restoring keeps it harmless should it ever be reused.
                c.setns(self, CLONE_NEWNET);
            }
        } finally {
            c.close(self);
        }
    }
}
