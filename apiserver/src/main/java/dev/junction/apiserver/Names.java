package dev.junction.apiserver;

import inet.ipaddr.IPAddressString;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The name and address checks of upstream {@code k8s.io/apimachinery/pkg/util/validation/validation.go}
 * (IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName, IsValidLabelValue,
 * IsValidPortName, IsValidIP, IsValidCIDR, IsWildcardDNS1123Subdomain) and
 * {@code pkg/apis/core/validation.ValidateNonSpecialIP}. Each method returns upstream's messages
 * (empty when valid), so callers wrap them in {@link FieldError#invalid}.
 */
public final class Names {
    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern WILDCARD_SUBDOMAIN = Pattern.compile(
            "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern IANA_SVC_NAME = Pattern.compile("[-a-z0-9]+");

    static final String DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters"
            + " or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used"
            + " for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric"
            + " characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex"
            + " used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    static final String WILDCARD_MSG = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS"
            + " subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an"
            + " alphanumeric character (e.g. '*.example.com', regex used for validation is"
            + " '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    static final String DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-',"
            + " start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or"
            + " 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    static final String QUALIFIED_NAME_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and"
            + " must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex"
            + " used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    static final String LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters,"
            + " '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or"
            + " 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    static final String PORT_RANGE_MSG = "must be between 1 and 65535, inclusive";
    static final String IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";
    static final String CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

    private Names() {
    }

    /** IsDNS1123Label: at most 63 characters of {@code [a-z0-9-]}, alphanumeric at both ends. */
    public static List<String> dns1123Label(String s) {
        List<String> out = new ArrayList<>();
        if (s.length() > 63) {
            out.add(maxLen(63));
        }
        if (!DNS1123_LABEL.matcher(s).matches()) {
            out.add(DNS1123_LABEL_MSG);
        }
        return out;
    }

    /** IsDNS1123Subdomain: at most 253 characters, dot-separated DNS-1123 labels. */
    public static List<String> dns1123Subdomain(String s) {
        List<String> out = new ArrayList<>();
        if (s.length() > 253) {
            out.add(maxLen(253));
        }
        if (!DNS1123_SUBDOMAIN.matcher(s).matches()) {
            out.add(DNS1123_SUBDOMAIN_MSG);
        }
        return out;
    }

    /** IsWildcardDNS1123Subdomain: {@code *.} followed by a DNS-1123 subdomain. */
    public static List<String> wildcardDns1123Subdomain(String s) {
        List<String> out = new ArrayList<>();
        if (s.length() > 253) {
            out.add(maxLen(253));
        }
        if (!WILDCARD_SUBDOMAIN.matcher(s).matches()) {
            out.add(WILDCARD_MSG);
        }
        return out;
    }

    /** IsDNS1035Label: at most 63 characters, starting with a letter. */
    public static List<String> dns1035Label(String s) {
        List<String> out = new ArrayList<>();
        if (s.length() > 63) {
            out.add(maxLen(63));
        }
        if (!DNS1035_LABEL.matcher(s).matches()) {
            out.add(DNS1035_LABEL_MSG);
        }
        return out;
    }

    /** IsQualifiedName: an optional DNS-1123 subdomain prefix and {@code /}, then a name of at most 63 characters. */
    public static List<String> qualifiedName(String s) {
        List<String> out = new ArrayList<>();
        String[] parts = s.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()) {
                out.add("prefix part must be non-empty");
            } else {
                dns1123Subdomain(prefix).forEach(m -> out.add("prefix part " + m));
            }
        } else {
            out.add("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and"
                    + " end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for"
                    + " validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix"
                    + " and '/' (e.g. 'example.com/MyName')");
            return out;
        }
        if (name.isEmpty()) {
            out.add("name part must be non-empty");
        } else if (name.length() > 63) {
            out.add("name part " + maxLen(63));
        }
        if (!name.isEmpty() && !QUALIFIED_NAME.matcher(name).matches()) {
            out.add(QUALIFIED_NAME_MSG);
        }
        return out;
    }

    /** IsValidLabelValue: empty, or at most 63 characters of {@code [A-Za-z0-9-_.]}, alphanumeric at both ends. */
    public static List<String> labelValue(String s) {
        List<String> out = new ArrayList<>();
        if (s.length() > 63) {
            out.add(maxLen(63));
        }
        if (!LABEL_VALUE.matcher(s).matches()) {
            out.add(LABEL_VALUE_MSG);
        }
        return out;
    }

    /** IsValidPortName (IANA_SVC_NAME): at most 15 characters, a letter, no leading/trailing/double hyphen. */
    public static List<String> portName(String s) {
        List<String> out = new ArrayList<>();
        if (s.length() > 15) {
            out.add(maxLen(15));
        }
        if (!IANA_SVC_NAME.matcher(s).matches()) {
            out.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (s.contains("--")) {
            out.add("must not contain consecutive hyphens");
        }
        if (!s.isEmpty() && s.chars().noneMatch(c -> c >= 'a' && c <= 'z')) {
            out.add("must contain at least one letter (a-z)");
        }
        if (s.startsWith("-") || s.endsWith("-")) {
            out.add("must not begin or end with a hyphen");
        }
        return out;
    }

    /** IsValidPortNum: 1-65535. */
    public static boolean isPort(long port) {
        return port >= 1 && port <= 65535;
    }

    /** Whether {@code s} is an IPv4 or IPv6 address literal (no prefix length). */
    public static boolean isIp(String s) {
        if (s.isEmpty() || s.contains("/") || s.contains("%")) {
            return false;
        }
        IPAddressString a = new IPAddressString(s);
        return a.isIPAddress() && a.getAddress() != null && !a.isPrefixed() && (isIpv4(s) || s.contains(":"));
    }

    /** Whether {@code s} is a dotted-quad IPv4 address without leading zeros beyond upstream's tolerance. */
    public static boolean isIpv4(String s) {
        // one pass, no split or regex: EndpointSlices run this for every address (up to 1,000 per slice)
        int parts = 0;
        int value = 0;
        int digits = 0;
        for (int i = 0, n = s.length(); i <= n; i++) {
            char c = i < n ? s.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || ++parts > 4) {
                    return false;
                }
                value = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
                if (value > 255) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return parts == 4;
    }

    /** Whether {@code s} is an IPv6 address literal. */
    public static boolean isIpv6(String s) {
        return s.contains(":") && isIp(s);
    }

    /** Whether {@code s} is a CIDR such as {@code 10.0.0.0/8} or {@code fd00::/64}. */
    public static boolean isCidr(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String ip = s.substring(0, slash);
        String bits = s.substring(slash + 1);
        if (!isIp(ip) || bits.isEmpty() || !bits.chars().allMatch(Character::isDigit) || bits.length() > 3) {
            return false;
        }
        int n = Integer.parseInt(bits);
        return n <= (ip.contains(":") ? 128 : 32);
    }

    /**
     * ValidateNonSpecialIP: an external or endpoint address may not be unspecified, loopback,
     * link-local or link-local multicast. Empty when allowed.
     */
    public static List<String> nonSpecialIp(String s) {
        List<String> out = new ArrayList<>();
        var addr = new IPAddressString(s).getAddress();
        if (addr == null) {
            return out;
        }
        if (addr.isZero()) {
            out.add("may not be unspecified (0.0.0.0, ::)");
        } else if (addr.isLoopback()) {
            out.add("may not be in the loopback range (127.0.0.0/8, ::1/128)");
        } else if (s.startsWith("169.254.") || s.toLowerCase().startsWith("fe80:")) {
            out.add("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
        } else if (s.startsWith("224.0.0.") || s.toLowerCase().startsWith("ff02:")) {
            out.add("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
        }
        return out;
    }

    /** Whether the address {@code ip} lies inside {@code cidr}; both already valid and of one family. */
    public static boolean contains(String cidr, String ip) {
        var net = new IPAddressString(cidr).getAddress();
        var a = new IPAddressString(ip).getAddress();
        return net != null && a != null && net.toPrefixBlock().contains(a);
    }

    static String maxLen(int n) {
        return "must be no more than " + n + " characters";
    }
}
