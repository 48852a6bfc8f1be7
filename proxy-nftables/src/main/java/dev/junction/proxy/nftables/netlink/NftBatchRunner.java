package dev.junction.proxy.nftables.netlink;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends nf_tables batches over one {@code NETLINK_NETFILTER} socket kept open in the target namespace
 * (closed when the runner is unreachable or after an error) and waits, per batch ({@link NftBatch}), for the kernel's answer to every message:
 * an {@code NLMSG_ERROR} with error 0 (ack) or a negative errno (netlink(7); nfnetlink's
 * {@code nfnetlink_rcv_batch} answers each {@code NLM_F_ACK} message, and on any error aborts the
 * whole transaction, so a failed batch changes nothing).
 */
public final class NftBatchRunner {
    /** Socket buffers: a batch of ~10,000 messages fits. */
    private static final int BUFFER_BYTES = 8 << 20;
    private static final AtomicInteger SEQ = new AtomicInteger((int) (System.nanoTime() & 0x3fffffff));

    private static final Cleaner CLEANER = Cleaner.create();

    private final Optional<Path> netns;
    private final long timeoutMillis;
    private final byte[] buf = new byte[256 * 1024];
    /** The open socket (kept between batches; reopened after an error), shared with the cleaner. */
    private final AtomicReference<NetlinkSocket> socket = new AtomicReference<>();
    private Object openedInode = "";

    /**
     * @param netns         network namespace file (e.g. {@code /var/run/netns/NAME}); empty for this process's
     * @param timeoutMillis how long to wait for the answers, in milliseconds
     */
    public NftBatchRunner(Optional<Path> netns, long timeoutMillis) {
        this.netns = requireNonNull(netns, "netns");
        this.timeoutMillis = timeoutMillis;
        AtomicReference<NetlinkSocket> held = socket;
        CLEANER.register(this, () -> {
            NetlinkSocket open = held.getAndSet(null);
            if (open != null) {
                open.close();
            }
        });
    }

    /** A first sequence number for the next batch (distinct from earlier ones in this JVM). */
    public static int nextSeq(int messages) {
        return SEQ.getAndAdd(messages + 2) & 0x3fffffff;
    }

    /**
     * Sends {@code batch} and returns once every message was acknowledged.
     *
     * @throws NetlinkException when the socket fails, an answer is missing after the timeout, or the
     *                          kernel rejected a message (the transaction was then aborted)
     */
    public synchronized void apply(NftBatch batch) {
        requireNonNull(batch, "batch");
        NetlinkSocket open = socket.get();
        Object inode = netnsInode();
        if (open != null && !inode.equals(openedInode)) {
            // the namespace was deleted and re-created under the same name: follow it
            socket.set(null);
            open.close();
            open = null;
        }
        if (open == null) {
            try {
                open = NetlinkSocket.open(netns, BUFFER_BYTES);
            } catch (LinkageError e) {
                throw new NetlinkException("libc through JNA is not available: " + e, e);
            }
            open.receiveTimeout(Math.min(timeoutMillis, 1_000));
            socket.set(open);
            openedInode = inode;
        }
        try {
            while (open.receiveNow(buf) >= 0) {
                // answers left over from an earlier batch that timed out: not ours
            }
            open.send(batch.bytes());
            BitSet answered = new BitSet(batch.acked());
            List<String> errors = new ArrayList<>();
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (answered.cardinality() < batch.acked()) {
                if (System.nanoTime() > deadline) {
                    throw new NetlinkException("netlink batch: " + answered.cardinality() + " of " + batch.acked()
                            + " answers after " + timeoutMillis + " ms" + (errors.isEmpty() ? "" : "; errors: " + errors));
                }
                int n = open.receive(buf);
                if (n < 0) {
                    if (!errors.isEmpty()) {
                        break; // the kernel reported the failure; the rest of the answers may never come
                    }
                    continue;
                }
                parse(ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder()), batch, answered, errors);
            }
            if (!errors.isEmpty()) {
                throw new NetlinkException("nf_tables batch rejected: " + String.join("; ", errors));
            }
        } catch (NetlinkException e) {
            if (socket.compareAndSet(open, null)) {
                open.close();
            }
            throw e;
        }
    }

    /** The inode of the namespace file ({@code ""} for this process's namespace). */
    private Object netnsInode() {
        if (netns.isEmpty()) {
            return "";
        }
        try {
            return Files.getAttribute(netns.get(), "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            throw new NetlinkException("stat " + netns.get() + ": " + e.getMessage(), e);
        }
    }

    private static void parse(ByteBuffer in, NftBatch batch, BitSet answered, List<String> errors) {
        int off = 0;
        int limit = in.limit();
        while (off + 16 <= limit) {
            int len = in.getInt(off);
            int type = in.getShort(off + 4) & 0xffff;
            if (len < 16 || off + len > limit) {
                break;
            }
            if (type == NfTables.NLMSG_ERROR && len >= 36) {
                int error = in.getInt(off + 16);
                int seq = in.getInt(off + 16 + 4 + 8);
                if (seq >= batch.firstSeq() && seq <= batch.lastSeq()) {
                    answered.set(seq - batch.firstSeq());
                    if (error != 0) {
                        errors.add("message " + (seq - batch.firstSeq() + 1) + " of " + batch.acked() + ": "
                                + errno(-error));
                    }
                }
            }
            off += (len + 3) & ~3;
        }
    }

    private static String errno(int code) {
        String name = switch (code) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 7 -> "E2BIG";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 34 -> "ERANGE";
            case 90 -> "EMSGSIZE";
            case 95 -> "EOPNOTSUPP";
            case 105 -> "ENOBUFS";
            default -> "errno";
        };
        return name + " (" + code + ")";
    }
}
