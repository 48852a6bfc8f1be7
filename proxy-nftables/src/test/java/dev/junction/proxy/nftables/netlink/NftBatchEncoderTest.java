package dev.junction.proxy.nftables.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.proxy.nftables.NftElement;
import dev.junction.proxy.nftables.NftOp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The encoder's messages against the bytes nft 1.0.6 itself sent for the same {@code nft -f} text
 * (captured with {@code strace -e trace=sendmsg -e write=3 nft -f FILE}, resources
 * {@code netlink/increment-N.nft} / {@code .hex}). Compared per message and attribute, ignoring
 * only what legitimately differs: sequence numbers, our {@code NLM_F_ACK}, the batch-local ids of
 * anonymous sets, and the {@code NFTA_SET_ELEM_LIST_SET_ID} nft adds for named sets.
 */
class NftBatchEncoderTest {
    private static final int NEWSET = 10 << 8 | 9;
    private static final int NEWSETELEM = 10 << 8 | 12;
    private static final int DELSETELEM = 10 << 8 | 14;

    @Test
    void chainsRulesAnonymousVmapsAndElementsAreTheBytesNftSends() throws IOException {
        assertSameAsNft("increment-1");
    }

    @Test
    void prefixMasksSingleAndTripleVmapsGotoAndChainDeleteAreTheBytesNftSends() throws IOException {
        assertSameAsNft("increment-2");
    }

    @Test
    void unsupportedCommandsMakeTheWholeBatchUnsupported() {
        List<NftOp> ops = List.of(new NftOp.AddChain("c"),
                new NftOp.AddRule("c", "ip saddr @affinity-x goto endpoint-y"));
        assertThat(NftBatchEncoder.encode(ops, 1)).isEmpty();
        assertThat(NftBatchEncoder.encode(List.of(new NftOp.AddRule("c", "fib saddr type local jump mark-for-masquerade")), 1)).isEmpty();
        assertThat(NftBatchEncoder.encode(List.of(new NftOp.AddSetLine(
                "add set ip kube-proxy affinity-x { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }")), 1)).isEmpty();
        assertThat(NftBatchEncoder.encode(List.of(new NftOp.AddRule("c", "ip daddr 10.0.0.1 jump x comment \"y\"")), 1)).isEmpty();
        assertThat(NftBatchEncoder.encode(List.of(new NftOp.AddElement(NftElement.of("unknown-set", "10.0.0.1"))), 1)).isEmpty();
        assertThat(NftBatchEncoder.encode(List.of(new NftOp.AddChain("c"), new NftOp.AddRule("c", "jump x")), 1)).isPresent();
    }

    @Test
    void onlyTheLastCommandAsksForAnAck() {
        NftBatch batch = NftBatchEncoder.encode(List.of(new NftOp.AddChain("c"), new NftOp.FlushChain("c"),
                new NftOp.AddRule("c", "numgen random mod 2 vmap { 0 : goto a , 1 : goto b }")), 100).orElseThrow();
        List<Message> messages = decode(batch.bytes());
        assertThat(messages).hasSize(7); // begin, chain, flush, set, set elements, rule, end
        assertThat(batch.commands()).isEqualTo(5);
        assertThat(batch.firstSeq()).isEqualTo(101);
        assertThat(batch.lastSeq()).isEqualTo(105);
        for (Message m : messages.subList(0, 5)) {
            assertThat(m.flags() & NlMessageBuilder.NLM_F_ACK).isZero();
        }
        assertThat(messages.get(5).flags() & NlMessageBuilder.NLM_F_ACK).isNotZero(); // the rule, last command
        assertThat(messages.get(6).flags() & NlMessageBuilder.NLM_F_ACK).isZero();
    }

    private static void assertSameAsNft(String name) throws IOException {
        List<NftOp> ops = parse(resource(name + ".nft"));
        NftBatch batch = NftBatchEncoder.encode(ops, 1).orElseThrow();
        List<String> ours = decode(batch.bytes()).stream().map(m -> m.canonical(true)).toList();
        List<String> nft = decode(HexFormat.of().parseHex(resource(name + ".hex").replaceAll("\\s", "")))
                .stream().map(m -> m.canonical(false)).toList();
        assertThat(nft).hasSizeGreaterThan(10).allMatch(m -> m.length() > 10);
        assertThat(ours).containsExactlyElementsOf(nft);
    }

    private record Message(int type, int flags, byte[] payload) {
        /** Type, flags without ACK, nfgenmsg and attributes as text; batch-local ids replaced by their order. */
        String canonical(boolean ours) {
            StringBuilder out = new StringBuilder();
            out.append(type).append(' ').append(flags & ~NlMessageBuilder.NLM_F_ACK).append(' ')
                    .append(HexFormat.of().formatHex(payload, 0, 4));
            boolean anonymous = new String(payload, StandardCharsets.ISO_8859_1).contains("__map%d");
            attrs(out, ByteBuffer.wrap(payload, 4, payload.length - 4).slice().order(ByteOrder.LITTLE_ENDIAN), 0, anonymous, false);
            return out.toString();
        }

        private void attrs(StringBuilder out, ByteBuffer b, int depth, boolean anonymous, boolean lookup) {
            int off = 0;
            boolean isLookup = false;
            while (off + 4 <= b.limit()) {
                int len = b.getShort(off) & 0xffff;
                int t = b.getShort(off + 2) & 0xffff;
                byte[] body = new byte[len - 4];
                b.get(off + 4, body);
                int attr = t & 0x7fff;
                boolean setIdOfAnonymous = depth == 0 && anonymous
                        && (type == NEWSET && attr == 10 || type == NEWSETELEM && attr == 4);
                boolean namedSetId = depth == 0 && !anonymous && (type == NEWSETELEM || type == DELSETELEM) && attr == 4;
                if (namedSetId) {
                    off += (len + 3) & ~3;
                    continue;
                }
                out.append(' ').append(attr);
                if ((t & 0x8000) != 0) {
                    out.append('{');
                    attrs(out, ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN), depth + 1, anonymous, isLookup);
                    out.append('}');
                } else if (setIdOfAnonymous || lookup && attr == 4) {
                    out.append("=SETID");
                } else {
                    out.append('=').append(HexFormat.of().formatHex(body));
                }
                if (attr == 1 && Arrays.equals(body, "lookup\0".getBytes(StandardCharsets.US_ASCII))) {
                    isLookup = true;
                }
                off += (len + 3) & ~3;
            }
        }
    }

    private static List<Message> decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Message> out = new ArrayList<>();
        int off = 0;
        while (off + 16 <= bytes.length) {
            int len = b.getInt(off);
            out.add(new Message(b.getShort(off + 4) & 0xffff, b.getShort(off + 6) & 0xffff,
                    Arrays.copyOfRange(bytes, off + 16, off + len)));
            off += (len + 3) & ~3;
        }
        return out;
    }

    private static final Pattern ELEMENT = Pattern.compile(
            "(add|delete) element ip kube-proxy (\\S+) \\{ (.+?)(?: comment \"([^\"]*)\")?(?: : (.+?))? \\}");

    /** The {@code nft -f} lines of the resources as ops. */
    private static List<NftOp> parse(String text) {
        List<NftOp> ops = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] w = line.split(" ", 6);
            Matcher m = ELEMENT.matcher(line);
            if (m.matches()) {
                NftElement e = new NftElement(m.group(2), List.of(m.group(3).split(" \\. ")),
                        Optional.ofNullable(m.group(5)), Optional.ofNullable(m.group(4)));
                ops.add(m.group(1).equals("add") ? new NftOp.AddElement(e) : new NftOp.DeleteElement(e));
            } else if (line.startsWith("add chain ")) {
                ops.add(new NftOp.AddChain(w[4]));
            } else if (line.startsWith("flush chain ")) {
                ops.add(new NftOp.FlushChain(w[4]));
            } else if (line.startsWith("delete chain ")) {
                ops.add(new NftOp.DeleteChain(w[4]));
            } else if (line.startsWith("add rule ")) {
                ops.add(new NftOp.AddRule(w[4], w[5]));
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException(line);
            }
        }
        return ops;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = NftBatchEncoderTest.class.getResourceAsStream("/netlink/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
