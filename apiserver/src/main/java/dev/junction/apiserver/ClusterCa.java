package dev.junction.apiserver;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * A cluster certificate authority in a directory, as kubeadm lays out {@code /etc/kubernetes/pki}
 * ({@code cmd/kubeadm/app/phases/certs}): {@code ca.crt}/{@code ca.key} (self-signed, 10 years) and
 * the API server's serving pair {@code apiserver.crt}/{@code apiserver.key} (1 year, serverAuth,
 * subjectAltNames for the advertise address, {@code kubernetes.default.svc...}, the kubernetes
 * Service IP, {@code localhost} and {@code 127.0.0.1}). Files that already exist are reused, so a
 * restarted server keeps its CA and every kubeconfig stays valid. Keys are ECDSA P-256 in PKCS#8
 * PEM, written with mode 0600.
 */
public final class ClusterCa {
    static final String CA_CERT = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String SERVER_CERT = "apiserver.crt";
    static final String SERVER_KEY = "apiserver.key";

    private final Path dir;

    private ClusterCa(Path dir) {
        this.dir = dir;
    }

    /**
     * Loads the CA in {@code dir}, creating the CA and the serving certificate when missing.
     *
     * @param sans extra subjectAltNames (IP literals become IP SANs, the rest DNS SANs)
     * @throws UncheckedIOException when the directory cannot be written or the files do not parse
     */
    public static ClusterCa ensure(Path dir, List<String> sans) {
        requireNonNull(dir, "dir");
        requireNonNull(sans, "sans");
        try {
            Files.createDirectories(dir);
            ClusterCa ca = new ClusterCa(dir);
            if (!Files.exists(dir.resolve(CA_CERT)) || !Files.exists(dir.resolve(CA_KEY))) {
                KeyPair kp = keyPair();
                X509Certificate cert = sign(new X500Name("CN=junction-ca"), kp.getPublic(), new X500Name("CN=junction-ca"),
                        kp.getPrivate(), Duration.ofDays(3650), true, List.of());
                write(dir.resolve(CA_KEY), pem(kp.getPrivate()));
                write(dir.resolve(CA_CERT), pem(cert));
            }
            if (!Files.exists(dir.resolve(SERVER_CERT)) || !Files.exists(dir.resolve(SERVER_KEY))) {
                PrivateKey caKey = readKey(dir.resolve(CA_KEY));
                KeyPair kp = keyPair();
                Set<String> names = new LinkedHashSet<>(List.of("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local", "localhost", "127.0.0.1"));
                names.addAll(sans);
                X509Certificate cert = sign(new X500Name("CN=kube-apiserver"), kp.getPublic(), new X500Name("CN=junction-ca"),
                        caKey, Duration.ofDays(365), false, List.copyOf(names));
                write(dir.resolve(SERVER_KEY), pem(kp.getPrivate()));
                write(dir.resolve(SERVER_CERT), pem(cert));
            }
            return ca;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("certificate generation failed: " + e, e);
        }
    }

    /** {@code ca.crt}, the trust anchor kubeconfigs carry as certificate-authority(-data). */
    public Path caCertificate() {
        return dir.resolve(CA_CERT);
    }

    /** {@code apiserver.crt}, the serving certificate (PEM). */
    public Path serverCertificate() {
        return dir.resolve(SERVER_CERT);
    }

    /** {@code apiserver.key}, the serving key (PKCS#8 PEM). */
    public Path serverKey() {
        return dir.resolve(SERVER_KEY);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, java.security.PublicKey key, X500Name issuer, PrivateKey issuerKey,
            Duration validity, boolean ca, List<String> sans) throws GeneralSecurityException, OperatorCreationException,
            IOException {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()).abs(),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, key);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
        if (ca) {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        } else {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            List<GeneralName> names = new ArrayList<>();
            for (String s : sans) {
                names.add(Names.isIp(s) ? new GeneralName(GeneralName.iPAddress, s) : new GeneralName(GeneralName.dNSName, s));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static PrivateKey readKey(Path file) throws IOException {
        try (PEMParser p = new PEMParser(Files.newBufferedReader(file))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return conv.getKeyPair(pair).getPrivate();
            }
            throw new IOException(file + ": not a private key");
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : o);
        }
        return sw.toString();
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        if (file.getFileName().toString().endsWith(".key")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
