package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Reads DNS queries from UDP datagrams and writes each response back to the sender (RFC 1035
 * section 4.2.1). Answers computed while reading are flushed once per read batch (Netty reads up
 * to 16 datagrams per wakeup), answers that arrive later (forwarded) are flushed at once. The
 * common cluster query ({@link WireFastPath}) costs no callback: its bytes go straight into a
 * pooled direct buffer.
 * Unanswerable junk is dropped; the channel never closes on bad input.
 */
@Sharable
final class DatagramDnsServerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    /** One receive buffer per event loop thread: the processor copies what it keeps. */
    private static final FastThreadLocal<byte[]> BUFFER = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[65535];
        }
    };

    private final DnsQueryProcessor processor;

    DatagramDnsServerHandler(DnsQueryProcessor processor) {
        this.processor = requireNonNull(processor, "processor");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf content = packet.content();
        int length = content.readableBytes();
        byte[] wire = BUFFER.get();
        content.getBytes(content.readerIndex(), wire, 0, length);
        InetSocketAddress sender = packet.sender();
        InetAddress client = sender == null ? null : sender.getAddress();
        long start = System.nanoTime();
        byte[] fast = processor.fastAnswer(wire, length, Transport.UDP, client, start);
        if (fast != null) {
            // Straight into a pooled direct buffer: no wrapper, no heap-to-direct copy in the channel.
            ByteBuf buf = ctx.alloc().directBuffer(fast.length).writeBytes(fast);
            ctx.write(new DatagramPacket(buf, sender), ctx.voidPromise()); // flushed in channelReadComplete
            return;
        }
        boolean[] inline = {true};
        processor.processSlow(wire, length, Transport.UDP, client, response -> {
            DatagramPacket out = new DatagramPacket(Unpooled.wrappedBuffer(response), sender);
            if (inline[0] && ctx.executor().inEventLoop()) {
                ctx.write(out, ctx.voidPromise()); // flushed once per read batch (channelReadComplete)
            } else {
                ctx.writeAndFlush(out, ctx.voidPromise()); // answered later (forwarded)
            }
        }, start);
        inline[0] = false;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket survives errors such as ICMP port unreachable; keep serving.
    }
}
