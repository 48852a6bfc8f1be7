package dev.junction.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChainHashTest {

    @Test
    void matchesKubeProxyIptablesChainNames() {
        // KUBE-SVC-NPX46M4PTMTKRN6Y is kube-proxy's chain for default/kubernetes:https over tcp.
        assertThat(ChainHash.base32Sha256("default/kubernetes:httpstcp", 16)).isEqualTo("NPX46M4PTMTKRN6Y");
        assertThat(ChainHash.base32Sha256("ns1/svc1:p80tcp", 16)).isEqualTo("XPGD46QRK7WJZT7O");
    }

    @Test
    void shorterWidthsArePrefixes() {
        String full = ChainHash.base32Sha256("ns1/svc1:p80tcp", 48);
        assertThat(ChainHash.base32Sha256("ns1/svc1:p80tcp", 8)).isEqualTo(full.substring(0, 8));
        assertThat(ChainHash.base32Sha256("ns1/svc1:p80tcp", 16)).isEqualTo(full.substring(0, 16));
        assertThat(full).matches("[A-Z2-7]{48}");
    }

    @Test
    void rejectsWidthsThatNeedPadding() {
        assertThatThrownBy(() -> ChainHash.base32Sha256("x", 10))
                .hasMessage("chars: 10 (expected: a multiple of 8 from 8 to 48)");
    }
}
