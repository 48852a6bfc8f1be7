package dev.junction.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.DClass;

/** Raw UDP and TCP DNS queries against a server on 127.0.0.1 (no retries, no TCP fallback). */
final class DnsTestClient {
    private static final int RECEIVE_TIMEOUT_MS = 10_000;
    private final InetSocketAddress server;
    private final InetAddress local;

    DnsTestClient(int port) {
        this(port, InetAddress.getLoopbackAddress());
    }

    /** A client whose UDP and TCP sockets bind {@code local} (e.g. 127.0.0.2 to play a pod). */
    DnsTestClient(int port, InetAddress local) {
        this.server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        this.local = local;
    }

    static Message query(String name, int type) {
        try {
            Message m = Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type, DClass.IN));
            m.getHeader().setFlag(Flags.RD);
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException(name, e);
        }
    }

    static Message edns(Message query, int payload) {
        query.addRecord(new OPTRecord(payload, 0, 0), Section.ADDITIONAL);
        return query;
    }

    Message udp(String name, int type) throws IOException {
        return udp(query(name, type));
    }

    Message udp(Message query) throws IOException {
        return new Message(udpRaw(query.toWire()));
    }

    /** Sends raw bytes; returns the first response datagram. */
    byte[] udpRaw(byte[] wire) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(local, 0))) {
            socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
            socket.send(new DatagramPacket(wire, wire.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            socket.receive(in);
            return java.util.Arrays.copyOf(buf, in.getLength());
        }
    }

    /** Sends several datagrams from one socket, returns the first response that arrives. */
    byte[] udpRawFirstReply(byte[]... wires) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(local, 0))) {
            socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
            for (byte[] wire : wires) {
                socket.send(new DatagramPacket(wire, wire.length, server));
            }
            byte[] buf = new byte[65535];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            socket.receive(in);
            return java.util.Arrays.copyOf(buf, in.getLength());
        }
    }

    Message tcp(String name, int type) throws IOException {
        return tcp(query(name, type)).get(0);
    }

    /** Sends all queries on one connection, then reads one response per query. */
    List<Message> tcp(Message... queries) throws IOException {
        byte[][] wires = new byte[queries.length][];
        for (int i = 0; i < queries.length; i++) {
            wires[i] = queries[i].toWire();
        }
        List<Message> out = new ArrayList<>();
        for (byte[] r : tcpRaw(wires)) {
            out.add(new Message(r));
        }
        return out;
    }

    List<byte[]> tcpRaw(byte[]... wires) throws IOException {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(local, 0));
            socket.connect(server, RECEIVE_TIMEOUT_MS);
            socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (byte[] w : wires) {
                out.writeShort(w.length);
                out.write(w);
            }
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            List<byte[]> responses = new ArrayList<>();
            for (int i = 0; i < wires.length; i++) {
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                responses.add(r);
            }
            return responses;
        }
    }

    static List<Record> answers(Message m) {
        return m.getSection(Section.ANSWER);
    }

    static List<String> rdata(Message m, int section) {
        return m.getSection(section).stream().map(Record::rdataToString).toList();
    }
}
