package dev.junction.proxy.nftables.netlink;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends nf_tables batches over one {@code NETLINK_NETFILTER} socket kept open in the target namespace
 * (closed when the runner is unreachable or after an error) and waits, per batch ({@link NftBatch}),
 * for the kernel's verdict: only the batch's last command asks for an ack, and nfnetlink
 * ({@code nfnetlink_rcv_batch}, net/netfilter/nfnetlink.c) delivers the answers only after the commit
 * or abort, every failed message answered with its negative errno whether it asked or not (netlink(7));
 * a failed commit is answered on {@code BATCH_BEGIN}'s sequence number. On any error the kernel aborts
 * the whole transaction, so a failed batch changes nothing. The same socket serves single-chain rule
 * dumps ({@link #listRules}).
 */
public final class NftBatchRunner {
    /** Socket buffers (raised for the send side when a batch is larger: one batch is one datagram). */
    private static final int BUFFER_BYTES = 8 << 20;
    private static final AtomicInteger SEQ = new AtomicInteger((int) (System.nanoTime() & 0x3fffffff));

    private static final Cleaner CLEANER = Cleaner.create();

    private final Optional<Path> netns;
    private final long timeoutMillis;
    private final byte[] buf = new byte[256 * 1024];
    /** The open socket (kept between batches; reopened after an error), shared with the cleaner. */
    private final AtomicReference<NetlinkSocket> socket = new AtomicReference<>();
    private Object openedInode = "";
    private int sendBufferBytes = BUFFER_BYTES;

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
     * Sends {@code batch} (any size: the socket's send buffer is raised to hold it, as nft does) and
     * returns once the kernel committed it.
     *
     * @throws NetlinkException when the socket fails, the answer is missing after the timeout, or the
     *                          kernel rejected a message or the commit (the transaction was then aborted)
     */
    public synchronized void apply(NftBatch batch) {
        requireNonNull(batch, "batch");
        NetlinkSocket open = openSocket();
        try {
            if (batch.bytes().length + 1024 > sendBufferBytes) {
                sendBufferBytes = batch.bytes().length + (1 << 20);
                open.sendBuffer(sendBufferBytes);
            }
            open.send(batch.bytes());
            if (batch.commands() == 0) {
                return;
            }
            List<String> errors = new ArrayList<>();
            boolean[] finished = new boolean[1];
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (!finished[0]) {
                if (System.nanoTime() > deadline) {
                    throw new NetlinkException("netlink batch: no answer after " + timeoutMillis + " ms"
                            + (errors.isEmpty() ? "" : "; errors: " + errors));
                }
                int n = open.receive(buf);
                if (n >= 0) {
                    parse(ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder()), batch, finished, errors);
                }
            }
            if (!errors.isEmpty()) {
                throw new NetlinkException("nf_tables batch rejected: " + String.join("; ", errors));
            }
        } catch (NetlinkException e) {
            discard(open);
            throw e;
        }
    }

    /**
     * The rules of chain {@code chain} in table {@code table} (family ip), each as its expressions, read
     * with one {@code NFT_MSG_GETRULE} dump of that chain ({@link RuleDump}); empty when the table or
     * the chain does not exist.
     *
     * @throws NetlinkException when the socket fails, the dump does not end within the timeout, or
     *                          the kernel answers with an error other than ENOENT
     */
    public synchronized List<List<RuleDump.Expression>> listRules(String table, String chain) {
        NetlinkSocket open = openSocket();
        try {
            int seq = nextSeq(1);
            RuleDump dump = new RuleDump(seq);
            open.send(RuleDump.request(seq, table, chain));
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (!dump.done()) {
                if (System.nanoTime() > deadline) {
                    throw new NetlinkException("netlink rule dump: no end after " + timeoutMillis + " ms");
                }
                int n = open.receive(buf);
                if (n >= 0) {
                    dump.read(ByteBuffer.wrap(buf, 0, n).order(ByteOrder.nativeOrder()));
                }
            }
            if (dump.error() == -2) {
                return List.of();
            }
            if (dump.error() != 0) {
                throw new NetlinkException("nf_tables rule dump of " + chain + ": " + errno(-dump.error()));
            }
            return dump.rules();
        } catch (NetlinkException e) {
            discard(open);
            throw e;
        }
    }

    /** The kept socket (reopened when missing or when the namespace was re-created), drained of stale answers. */
    private NetlinkSocket openSocket() {
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
            sendBufferBytes = BUFFER_BYTES;
        }
        try {
            while (open.receiveNow(buf) >= 0) {
                // answers left over from an earlier request that failed or timed out: not ours
            }
        } catch (NetlinkException e) {
            discard(open);
            throw e;
        }
        return open;
    }

    private void discard(NetlinkSocket open) {
        if (socket.compareAndSet(open, null)) {
            open.close();
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

    /**
     * Reads the answers in one datagram: the ack (or error) of the batch's last command ends it, as
     * does an error on {@code BATCH_BEGIN}'s sequence number (failed commit, or no memory to list the
     * errors); other errors are collected.
     */
    private static void parse(ByteBuffer in, NftBatch batch, boolean[] finished, List<String> errors) {
        int off = 0;
        int limit = in.limit();
        int begin = batch.firstSeq() - 1;
        while (off + 16 <= limit) {
            int len = in.getInt(off);
            int type = in.getShort(off + 4) & 0xffff;
            if (len < 16 || off + len > limit) {
                break;
            }
            if (type == NfTables.NLMSG_ERROR && len >= 36) {
                int error = in.getInt(off + 16);
                int seq = in.getInt(off + 16 + 4 + 8);
                if (seq >= begin && seq <= batch.lastSeq()) {
                    if (error != 0) {
                        errors.add((seq == begin ? "commit" : "message " + (seq - begin) + " of " + batch.commands())
                                + ": " + errno(-error));
                    }
                    if (seq == batch.lastSeq() || (seq == begin && error != 0)) {
                        finished[0] = true;
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
