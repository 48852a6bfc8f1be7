package dev.junction.ingress;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.Secret;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server certificates by SNI name, built from {@code kubernetes.io/tls} Secrets ({@code tls.crt},
 * {@code tls.key}, PEM; the key in PKCS#8) named by the Ingresses' {@code spec.tls}. Lookup is the
 * exact name, then the wildcard one label up, then the default certificate (the
 * {@code --default-ssl-certificate} Secret, else a self-signed one, like ingress-nginx's "Fake
 * Certificate"). Contexts accept TLS 1.2 and 1.3 only and offer ALPN {@code h2} then
 * {@code http/1.1}. {@link #update} swaps the whole map atomically; a context is rebuilt only when
 * its Secret's {@code resourceVersion} changes, so certificate rotation needs no restart and open
 * connections keep their session.
 */
public final class CertificateStore implements Mapping<String, SslContext> {
    private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);

    private record Entry(String resourceVersion, SslContext context) {
    }

    private final AtomicReference<Map<String, SslContext>> byHost = new AtomicReference<>(Map.of());
    private final Map<String, Entry> bySecret = new HashMap<>();
    private volatile Optional<SslContext> fallback = Optional.empty();
    private volatile Optional<SslContext> configuredDefault = Optional.empty();
    private final Optional<String> defaultSecret;

    /**
     * @param defaultSecret {@code namespace/name} of the default certificate's Secret, if any
     * @param fallback      the certificate for names nothing else covers when the default Secret is
     *                      absent (a self-signed one), if any
     */
    public CertificateStore(Optional<String> defaultSecret, Optional<SslContext> fallback) {
        this.defaultSecret = requireNonNull(defaultSecret, "defaultSecret");
        this.fallback = requireNonNull(fallback, "fallback");
    }

    /**
     * Rebuilds the host map.
     *
     * @param tls     TLS host → {@code namespace/secretName} ({@link RouteTableBuilder.Result#tls()})
     * @param secrets {@code namespace/name} → Secret
     */
    public synchronized void update(Map<String, String> tls, Map<String, Secret> secrets) {
        Map<String, SslContext> next = new HashMap<>();
        Map<String, Entry> used = new HashMap<>();
        for (Map.Entry<String, String> e : tls.entrySet()) {
            context(e.getValue(), secrets, used).ifPresent(c -> next.put(e.getKey(), c));
        }
        configuredDefault = defaultSecret.flatMap(d -> context(d, secrets, used));
        bySecret.keySet().retainAll(used.keySet());
        byHost.set(Map.copyOf(next));
    }

    private Optional<SslContext> context(String secretKey, Map<String, Secret> secrets, Map<String, Entry> used) {
        Secret s = secrets.get(secretKey);
        if (s == null || s.getData() == null) {
            return Optional.empty();
        }
        String rv = String.valueOf(s.getMetadata().getResourceVersion()) + "/" + s.getData().hashCode();
        Entry cached = bySecret.get(secretKey);
        if (cached != null && cached.resourceVersion().equals(rv)) {
            used.put(secretKey, cached);
            return Optional.of(cached.context());
        }
        String crt = s.getData().get("tls.crt");
        String key = s.getData().get("tls.key");
        if (crt == null || key == null) {
            log.warn("secret {} has no tls.crt/tls.key; ignored", secretKey);
            return Optional.empty();
        }
        try {
            SslContext ctx = serverContext(Base64.getMimeDecoder().decode(crt), Base64.getMimeDecoder().decode(key));
            Entry entry = new Entry(rv, ctx);
            bySecret.put(secretKey, entry);
            used.put(secretKey, entry);
            log.info("loaded certificate from secret {}", secretKey);
            return Optional.of(ctx);
        } catch (Exception e) {
            log.warn("secret {}: cannot load certificate: {}", secretKey, e.toString());
            return Optional.empty();
        }
    }

    /**
     * A server context from PEM bytes: TLS 1.2/1.3, ALPN h2 + http/1.1, the
     * {@link TlsProvider} engine (BoringSSL when available, else the JDK).
     *
     * @throws javax.net.ssl.SSLException when the PEM cannot be parsed
     */
    public static SslContext serverContext(byte[] certPem, byte[] keyPem) throws javax.net.ssl.SSLException {
        return SslContextBuilder.forServer(new ByteArrayInputStream(certPem), new ByteArrayInputStream(keyPem))
                .sslProvider(TlsProvider.get())
                .protocols("TLSv1.3", "TLSv1.2")
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    /** {@link #serverContext(byte[], byte[])} from PEM text. */
    public static SslContext serverContext(String certPem, String keyPem) throws javax.net.ssl.SSLException {
        return serverContext(certPem.getBytes(StandardCharsets.US_ASCII), keyPem.getBytes(StandardCharsets.US_ASCII));
    }

    /** The context for an SNI name (null or unknown → the default); null when there is none at all. */
    @Override
    public SslContext map(String sniName) {
        Map<String, SslContext> m = byHost.get();
        if (sniName != null) {
            String h = HostMatching.normalize(sniName);
            SslContext c = m.get(h);
            if (c == null) {
                c = m.get(HostMatching.wildcardOf(h));
            }
            if (c != null) {
                return c;
            }
        }
        return configuredDefault.or(() -> fallback).orElse(null);
    }

    /** Whether a certificate exists for {@code host} (not counting the default). */
    public boolean covers(String host) {
        return byHost.get().containsKey(host);
    }
}
