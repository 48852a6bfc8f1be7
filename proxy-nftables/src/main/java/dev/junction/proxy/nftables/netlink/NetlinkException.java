package dev.junction.proxy.nftables.netlink;

/** A netlink socket call failed or the kernel rejected a message of a batch. */
public final class NetlinkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed (errno and, for rejected messages, the command) */
    public NetlinkException(String message) {
        super(message);
    }

    /** @param message what failed; @param cause the underlying error */
    public NetlinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
