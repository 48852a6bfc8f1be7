package dev.junction.apiserver;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes {@code application/vnd.kubernetes.protobuf} request bodies into the JSON form, for the
 * objects that kubectl's typed clients send (client-go defaults built-in clients to protobuf since
 * 1.31: {@code kubectl create namespace|configmap|secret|deployment|service}, {@code kubectl run},
 * {@code kubectl expose}). The envelope is upstream's {@code runtime.Unknown} after the
 * {@code k8s\0} magic ({@code k8s.io/apimachinery/pkg/runtime/serializer/protobuf}); field numbers
 * are those of {@code k8s.io/api/core/v1/generated.proto}, {@code apps/v1/generated.proto} and
 * {@code apimachinery/pkg/apis/meta/v1/generated.proto}. Only the fields listed in {@link #SCHEMA}
 * are decoded; other fields are skipped.
 */
final class ProtobufDecoder {
    private enum Kind { STRING, BYTES, INT, BOOL, MESSAGE, MAP_STRING, MAP_BYTES, INT_OR_STRING, TIME, QUANTITY }

    private record Field(String name, Kind kind, String type, boolean repeated) {
    }

    /**
     * Message layouts: {@code number name type}, where type is s (string), b (bytes), i (varint),
     * z (bool), m (map of string), mb (map of bytes), ios (IntOrString), t (Time), q (Quantity) or a
     * message name; a trailing {@code *} marks a repeated field.
     */
    private static final Map<String, String> SCHEMA = Map.ofEntries(
            Map.entry("ObjectMeta", "1 name s;2 generateName s;3 namespace s;5 uid s;6 resourceVersion s;7 generation i;"
                    + "8 creationTimestamp t;11 labels m;12 annotations m;13 ownerReferences OwnerReference*;14 finalizers s*"),
            Map.entry("OwnerReference", "1 kind s;3 name s;4 uid s;5 apiVersion s;6 controller z;7 blockOwnerDeletion z"),
            Map.entry("Namespace", "1 metadata ObjectMeta;2 spec NamespaceSpec"),
            Map.entry("NamespaceSpec", "1 finalizers s*"),
            Map.entry("ConfigMap", "1 metadata ObjectMeta;2 data m;3 binaryData mb;4 immutable z"),
            Map.entry("Secret", "1 metadata ObjectMeta;2 data mb;3 type s;4 stringData m;5 immutable z"),
            Map.entry("ServiceAccount", "1 metadata ObjectMeta;3 automountServiceAccountToken z"),
            Map.entry("Service", "1 metadata ObjectMeta;2 spec ServiceSpec"),
            Map.entry("ServiceSpec", "1 ports ServicePort*;2 selector m;3 clusterIP s;4 type s;5 externalIPs s*;"
                    + "7 sessionAffinity s;8 loadBalancerIP s;9 loadBalancerSourceRanges s*;10 externalName s;"
                    + "11 externalTrafficPolicy s;12 healthCheckNodePort i;13 publishNotReadyAddresses z;17 ipFamilyPolicy s;"
                    + "18 clusterIPs s*;19 ipFamilies s*;20 allocateLoadBalancerNodePorts z;21 loadBalancerClass s;"
                    + "22 internalTrafficPolicy s"),
            Map.entry("ServicePort", "1 name s;2 protocol s;3 port i;4 targetPort ios;5 nodePort i;6 appProtocol s"),
            Map.entry("Deployment", "1 metadata ObjectMeta;2 spec DeploymentSpec"),
            Map.entry("DeploymentSpec", "1 replicas i;2 selector LabelSelector;3 template PodTemplateSpec;4 strategy DeploymentStrategy;"
                    + "5 minReadySeconds i;6 revisionHistoryLimit i;7 paused z;9 progressDeadlineSeconds i"),
            Map.entry("DeploymentStrategy", "1 type s;2 rollingUpdate RollingUpdateDeployment"),
            Map.entry("RollingUpdateDeployment", "1 maxUnavailable ios;2 maxSurge ios"),
            Map.entry("LabelSelector", "1 matchLabels m;2 matchExpressions LabelSelectorRequirement*"),
            Map.entry("LabelSelectorRequirement", "1 key s;2 operator s;3 values s*"),
            Map.entry("PodTemplateSpec", "1 metadata ObjectMeta;2 spec PodSpec"),
            Map.entry("Pod", "1 metadata ObjectMeta;2 spec PodSpec"),
            Map.entry("PodSpec", "2 containers Container*;3 restartPolicy s;4 terminationGracePeriodSeconds i;"
                    + "5 activeDeadlineSeconds i;6 dnsPolicy s;7 nodeSelector m;8 serviceAccountName s;9 serviceAccount s;"
                    + "10 nodeName s;11 hostNetwork z;16 hostname s;17 subdomain s;19 schedulerName s;20 initContainers Container*;"
                    + "24 priorityClassName s;30 enableServiceLinks z"),
            Map.entry("Container", "1 name s;2 image s;3 command s*;4 args s*;5 workingDir s;6 ports ContainerPort*;7 env EnvVar*;"
                    + "8 resources ResourceRequirements;13 terminationMessagePath s;14 imagePullPolicy s;16 stdin z;17 stdinOnce z;"
                    + "18 tty z;20 terminationMessagePolicy s"),
            Map.entry("ContainerPort", "1 name s;2 hostPort i;3 containerPort i;4 protocol s;5 hostIP s"),
            Map.entry("EnvVar", "1 name s;2 value s"),
            Map.entry("ResourceRequirements", "1 limits mq;2 requests mq"));

    private static final Map<String, Map<Integer, Field>> MESSAGES = parseSchema();
    /**
     * Pointer fields whose zero value is meaningful; gogo-protobuf emits every non-pointer scalar,
     * so other empty strings, zeros and falses are dropped as Go's {@code omitempty} would.
     */
    private static final java.util.Set<String> KEEP_ZERO = java.util.Set.of("replicas", "enableServiceLinks",
            "allocateLoadBalancerNodePorts", "immutable", "automountServiceAccountToken",
            "terminationGracePeriodSeconds", "controller", "blockOwnerDeletion");
    private static final byte[] MAGIC = {'k', '8', 's', 0};

    private ProtobufDecoder() {
    }

    /**
     * Decodes an enveloped protobuf body.
     *
     * @return the object as JSON, with apiVersion and kind from the envelope
     * @throws ApiException 415 UnsupportedMediaType for kinds without a layout here, 400 for malformed bodies
     */
    static ObjectNode decode(byte[] body) {
        if (body.length < 4 || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
            throw ApiException.badRequest("protobuf body does not start with the k8s envelope magic");
        }
        try {
            Reader unknown = new Reader(body, 4, body.length);
            String apiVersion = "";
            String kind = "";
            byte[] raw = new byte[0];
            while (unknown.more()) {
                int tag = unknown.varint32();
                if (tag >>> 3 == 1 && (tag & 7) == 2) {
                    Reader tm = unknown.sub();
                    while (tm.more()) {
                        int t = tm.varint32();
                        if (t >>> 3 == 1) {
                            apiVersion = tm.string();
                        } else if (t >>> 3 == 2) {
                            kind = tm.string();
                        } else {
                            tm.skip(t & 7);
                        }
                    }
                } else if (tag >>> 3 == 2 && (tag & 7) == 2) {
                    raw = unknown.bytes();
                } else {
                    unknown.skip(tag & 7);
                }
            }
            if (!MESSAGES.containsKey(kind)) {
                throw ApiException.unsupportedMediaType("application/vnd.kubernetes.protobuf (kind " + kind + ")");
            }
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("apiVersion", apiVersion).put("kind", kind);
            message(kind, new Reader(raw, 0, raw.length), o);
            return o;
        } catch (IndexOutOfBoundsException e) {
            throw ApiException.badRequest("malformed protobuf body");
        }
    }

    private static void message(String type, Reader r, ObjectNode out) {
        Map<Integer, Field> fields = MESSAGES.get(type);
        while (r.more()) {
            int tag = r.varint32();
            Field f = fields.get(tag >>> 3);
            if (f == null) {
                r.skip(tag & 7);
                continue;
            }
            switch (f.kind) {
                case STRING -> {
                    String v = r.string();
                    if (!v.isEmpty() || f.repeated) {
                        add(out, f, Json.MAPPER.getNodeFactory().textNode(v));
                    }
                }
                case BYTES -> add(out, f, Json.MAPPER.getNodeFactory().textNode(Base64.getEncoder().encodeToString(r.bytes())));
                case INT -> {
                    long v = r.varint();
                    if (v != 0 || KEEP_ZERO.contains(f.name)) {
                        add(out, f, Json.MAPPER.getNodeFactory().numberNode(v));
                    }
                }
                case BOOL -> {
                    boolean v = r.varint() != 0;
                    if (v || KEEP_ZERO.contains(f.name)) {
                        add(out, f, Json.MAPPER.getNodeFactory().booleanNode(v));
                    }
                }
                case MESSAGE -> {
                    ObjectNode child = Json.MAPPER.createObjectNode();
                    message(f.type, r.sub(), child);
                    add(out, f, child);
                }
                case MAP_STRING, MAP_BYTES, QUANTITY -> {
                    Reader entry = r.sub();
                    String key = "";
                    String value = "";
                    while (entry.more()) {
                        int t = entry.varint32();
                        if (t >>> 3 == 1) {
                            key = entry.string();
                        } else if (t >>> 3 == 2 && f.kind == Kind.MAP_BYTES) {
                            value = Base64.getEncoder().encodeToString(entry.bytes());
                        } else if (t >>> 3 == 2 && f.kind == Kind.QUANTITY) {
                            Reader q = entry.sub();
                            while (q.more()) {
                                int qt = q.varint32();
                                if (qt >>> 3 == 1) {
                                    value = q.string();
                                } else {
                                    q.skip(qt & 7);
                                }
                            }
                        } else if (t >>> 3 == 2) {
                            value = entry.string();
                        } else {
                            entry.skip(t & 7);
                        }
                    }
                    Json.obj(out, f.name).put(key, value);
                }
                case INT_OR_STRING -> {
                    Reader ios = r.sub();
                    long iosType = 0;
                    long intVal = 0;
                    String strVal = "";
                    while (ios.more()) {
                        int t = ios.varint32();
                        switch (t >>> 3) {
                            case 1 -> iosType = ios.varint();
                            case 2 -> intVal = ios.varint();
                            case 3 -> strVal = ios.string();
                            default -> ios.skip(t & 7);
                        }
                    }
                    add(out, f, iosType == 1 ? Json.MAPPER.getNodeFactory().textNode(strVal)
                            : Json.MAPPER.getNodeFactory().numberNode((int) intVal));
                }
                case TIME -> {
                    Reader t = r.sub();
                    long seconds = 0;
                    while (t.more()) {
                        int tt = t.varint32();
                        if (tt >>> 3 == 1) {
                            seconds = t.varint();
                        } else {
                            t.skip(tt & 7);
                        }
                    }
                    if (seconds != 0) {
                        add(out, f, Json.MAPPER.getNodeFactory().textNode(Instant.ofEpochSecond(seconds).toString()));
                    }
                }
                default -> r.skip(tag & 7);
            }
        }
    }

    private static void add(ObjectNode out, Field f, com.fasterxml.jackson.databind.JsonNode value) {
        if (f.repeated) {
            ArrayNode arr = out.get(f.name) instanceof ArrayNode a ? a : out.putArray(f.name);
            arr.add(value);
        } else {
            out.set(f.name, value);
        }
    }

    private static Map<String, Map<Integer, Field>> parseSchema() {
        Map<String, Map<Integer, Field>> out = new HashMap<>();
        SCHEMA.forEach((type, spec) -> {
            Map<Integer, Field> fields = new HashMap<>();
            for (String decl : spec.split(";")) {
                String[] p = decl.trim().split(" ");
                boolean repeated = p[2].endsWith("*");
                String t = repeated ? p[2].substring(0, p[2].length() - 1) : p[2];
                Kind kind = switch (t) {
                    case "s" -> Kind.STRING;
                    case "b" -> Kind.BYTES;
                    case "i" -> Kind.INT;
                    case "z" -> Kind.BOOL;
                    case "m" -> Kind.MAP_STRING;
                    case "mb" -> Kind.MAP_BYTES;
                    case "mq" -> Kind.QUANTITY;
                    case "ios" -> Kind.INT_OR_STRING;
                    case "t" -> Kind.TIME;
                    default -> Kind.MESSAGE;
                };
                fields.put(Integer.parseInt(p[0]), new Field(p[1], kind, t, repeated));
            }
            out.put(type, fields);
        });
        return Map.copyOf(out);
    }

    /** A bounded protobuf wire-format reader. */
    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IndexOutOfBoundsException("varint");
                }
                byte b = buf[pos++];
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IndexOutOfBoundsException("varint too long");
        }

        int varint32() {
            return (int) varint();
        }

        Reader sub() {
            int len = varint32();
            if (len < 0 || pos + len > end) {
                throw new IndexOutOfBoundsException("length");
            }
            Reader r = new Reader(buf, pos, pos + len);
            pos += len;
            return r;
        }

        byte[] bytes() {
            Reader r = sub();
            byte[] out = new byte[r.end - r.pos];
            System.arraycopy(buf, r.pos, out, 0, out.length);
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        void skip(int wireType) {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> sub();
                case 5 -> pos += 4;
                default -> throw new IndexOutOfBoundsException("wire type " + wireType);
            }
            if (pos > end) {
                throw new IndexOutOfBoundsException("skip");
            }
        }
    }

}
