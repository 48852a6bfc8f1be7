package dev.junction.dns;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * Reads DNS queries from UDP datagrams and writes each response back to the sender (RFC 1035
 * section 4.2.1). Unanswerable junk is dropped; the channel never closes on bad input.
 */
@Sharable
final class DatagramDnsServerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final DnsQueryProcessor processor;

    DatagramDnsServerHandler(DnsQueryProcessor processor) {
        this.processor = requireNonNull(processor, "processor");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        byte[] wire = ByteBufUtil.getBytes(packet.content());
        InetSocketAddress sender = packet.sender();
        processor.process(wire, Transport.UDP, sender == null ? null : sender.getAddress(),
                response -> ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(response), sender), ctx.voidPromise()));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket survives errors such as ICMP port unreachable; keep serving.
    }
}
