package dev.junction.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The Netty handlers without sockets: answers come out, and every buffer is released. */
class DatagramDnsServerHandlerTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53);

    private static DnsQueryProcessor processor() {
        RecordIndex index = RecordIndexBuilder.build(Name.fromConstantString("cluster.local."), 5, 1, List.of(),
                List.of(), true);
        return new DnsQueryProcessor(new KubernetesHandler(() -> index),
                new Forwarder(List.of(), Duration.ofSeconds(1)), new DnsMetrics());
    }

    @Test
    void udpQueryIsAnsweredToItsSenderAndBuffersAreReleased() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new DatagramDnsServerHandler(processor()));
        ByteBuf in = Unpooled.wrappedBuffer(DnsTestClient.query("dns-version.cluster.local", Type.TXT).toWire());
        ch.writeInbound(new DatagramPacket(in, SERVER, CLIENT));
        assertThat(in.refCnt()).isZero();
        DatagramPacket out = ch.readOutbound();
        assertThat(out.recipient()).isEqualTo(CLIENT);
        Message response = new Message(ByteBufUtil.getBytes(out.content()));
        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(out.release()).isTrue();

        ByteBuf junk = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        ch.writeInbound(new DatagramPacket(junk, SERVER, CLIENT));
        assertThat(junk.refCnt()).isZero();
        Object none = ch.readOutbound();
        assertThat(none).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void tcpFramesAreAnsweredInOrderOnOneConnection() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2),
                new LengthFieldPrepender(2), new TcpDnsServerHandler(processor()));
        Message a = DnsTestClient.query("nope.cluster.local", Type.A);
        Message b = DnsTestClient.query("cluster.local", Type.SOA);
        ByteBuf in = Unpooled.buffer();
        for (Message m : List.of(a, b)) {
            byte[] w = m.toWire();
            in.writeShort(w.length).writeBytes(w);
        }
        ch.writeInbound(in);
        assertThat(in.refCnt()).isZero();
        ByteBuf out = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf part = (ByteBuf) o;
            out.writeBytes(part);
            part.release();
        }
        byte[] first = new byte[out.readUnsignedShort()];
        out.readBytes(first);
        byte[] second = new byte[out.readUnsignedShort()];
        out.readBytes(second);
        out.release();
        assertThat(new Message(first).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(new Message(second).getHeader().getID()).isEqualTo(b.getHeader().getID());
        ch.finish();
    }
}
