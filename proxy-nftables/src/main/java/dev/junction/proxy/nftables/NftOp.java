package dev.junction.proxy.nftables;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One command of an incremental {@code kube-proxy} transaction, in a form that can be written both
 * as {@code nft -f} text ({@link #appendText}) and as nf_tables netlink messages
 * ({@code netlink.NftBatchEncoder}). The commands are those {@link NftablesRules#incrementalOps}
 * produces (upstream knftables' {@code Transaction.Add/Flush/Delete} of chains, rules and elements).
 */
public sealed interface NftOp {
    /** The table prefix of every command. */
    String PREFIX = "ip " + NftablesChains.TABLE + " ";

    /** Appends the {@code nft -f} line of this command, with its newline. */
    void appendText(StringBuilder out);

    /** The {@code nft -f} text of {@code ops}, one line each (empty for no ops). */
    static String text(List<NftOp> ops) {
        StringBuilder out = new StringBuilder(ops.size() * 96);
        for (NftOp op : ops) {
            op.appendText(out);
        }
        return out.toString();
    }

    /** {@code add chain ip kube-proxy NAME} (a no-op when the chain exists). */
    record AddChain(String chain) implements NftOp {
        public AddChain {
            requireNonNull(chain, "chain");
        }

        @Override
        public void appendText(StringBuilder out) {
            out.append("add chain ").append(PREFIX).append(chain).append('\n');
        }
    }

    /** {@code flush chain ip kube-proxy NAME}: deletes every rule of the chain. */
    record FlushChain(String chain) implements NftOp {
        public FlushChain {
            requireNonNull(chain, "chain");
        }

        @Override
        public void appendText(StringBuilder out) {
            out.append("flush chain ").append(PREFIX).append(chain).append('\n');
        }
    }

    /** {@code delete chain ip kube-proxy NAME} (the chain must be empty and unreferenced). */
    record DeleteChain(String chain) implements NftOp {
        public DeleteChain {
            requireNonNull(chain, "chain");
        }

        @Override
        public void appendText(StringBuilder out) {
            out.append("delete chain ").append(PREFIX).append(chain).append('\n');
        }
    }

    /** {@code add rule ip kube-proxy CHAIN BODY}: appends a rule. */
    record AddRule(String chain, String body) implements NftOp {
        public AddRule {
            requireNonNull(chain, "chain");
            requireNonNull(body, "body");
        }

        @Override
        public void appendText(StringBuilder out) {
            out.append("add rule ").append(PREFIX).append(chain).append(' ').append(body).append('\n');
        }
    }

    /** {@code add element ip kube-proxy SET { … }}. */
    record AddElement(NftElement element) implements NftOp {
        public AddElement {
            requireNonNull(element, "element");
        }

        @Override
        public void appendText(StringBuilder out) {
            element.appendAddLine(out);
            out.append('\n');
        }
    }

    /** {@code delete element ip kube-proxy SET { KEY }}. */
    record DeleteElement(NftElement element) implements NftOp {
        public DeleteElement {
            requireNonNull(element, "element");
        }

        @Override
        public void appendText(StringBuilder out) {
            out.append(element.deleteLine()).append('\n');
        }
    }

    /** A full {@code add set …} line (ClientIP affinity sets), kept as text. */
    record AddSetLine(String line) implements NftOp {
        public AddSetLine {
            requireNonNull(line, "line");
        }

        @Override
        public void appendText(StringBuilder out) {
            out.append(line).append('\n');
        }
    }

    /** {@code delete set ip kube-proxy NAME}. */
    record DeleteSet(String set) implements NftOp {
        public DeleteSet {
            requireNonNull(set, "set");
        }

        @Override
        public void appendText(StringBuilder out) {
            out.append("delete set ").append(PREFIX).append(set).append('\n');
        }
    }
}
