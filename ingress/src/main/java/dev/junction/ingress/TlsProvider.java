package dev.junction.ingress;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS engine terminates and originates TLS: BoringSSL through netty-tcnative
 * ({@link SslProvider#OPENSSL}) when its native library loads, as ingress-nginx terminates with
 * OpenSSL; otherwise the JDK's engine. BoringSSL does a TLS 1.3 handshake several times cheaper
 * than the JDK (ECDHE and ECDSA in assembly), which is what bounds new-connection rates at an edge
 * proxy. The system property {@code junction.ingress.tls=jdk} forces the JDK engine.
 */
final class TlsProvider {
    private static final Logger log = LoggerFactory.getLogger(TlsProvider.class);
    private static final SslProvider CHOSEN = choose();

    private TlsProvider() {
    }

    /** The provider every server and client context of the ingress uses. */
    static SslProvider get() {
        return CHOSEN;
    }

    private static SslProvider choose() {
        if ("jdk".equalsIgnoreCase(System.getProperty("junction.ingress.tls", ""))) {
            return SslProvider.JDK;
        }
        if (OpenSsl.isAvailable()) {
            log.info("TLS: {} via netty-tcnative", OpenSsl.versionString());
            return SslProvider.OPENSSL;
        }
        log.info("TLS: JDK engine (netty-tcnative unavailable: {})", String.valueOf(OpenSsl.unavailabilityCause()));
        return SslProvider.JDK;
    }
}
