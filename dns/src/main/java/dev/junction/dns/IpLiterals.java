package dev.junction.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import org.xbill.DNS.Address;

/** Parses IP literals without ever doing a name lookup. */
final class IpLiterals {
    private IpLiterals() {
    }

    /** Returns the address of an IPv4 or IPv6 literal, or empty when {@code text} is not one. */
    static Optional<InetAddress> parse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        int family = text.indexOf(':') >= 0 ? Address.IPv6 : Address.IPv4;
        byte[] bytes = Address.toByteArray(text, family);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            // No host name: the address alone (a retained literal would cost a String per endpoint).
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * The spec's dashed form of an address, used as the host label of an endpoint without a
     * hostname: {@code 10.244.1.5} → {@code 10-244-1-5}; IPv6 colons become dashes too, as CoreDNS
     * does in {@code endpointHostname}.
     */
    static String dashed(InetAddress address) {
        String text = address.getHostAddress();
        int zone = text.indexOf('%');
        if (zone >= 0) {
            text = text.substring(0, zone);
        }
        return text.replace('.', '-').replace(':', '-');
    }
}
