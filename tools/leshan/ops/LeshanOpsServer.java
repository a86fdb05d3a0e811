// A Leshan LwM2M server for the operations the demo server's REST API (2.0.0-M4) lacks:
// read/write/observe-composite, active cancel (GET with Observe=1) and Send.
//
// Built on the Leshan 2.0.0-M15 server library (the newest on Maven Central here): plain CoAP,
// and DTLS PSK on -slp. Compiled and run by host_sim/leshan.py:
//
//   java -cp <M15 jars>:<classes> LeshanOpsServer -lh 127.0.0.1 -lp 5693 -slp 5694 -wp 8082 [-m MODELS] [-awake MS]
//
// -m: a folder of object models (OMA DDF .xml) known besides Leshan's own (objects 0-7, 21), e.g.
// the IPSO objects; -awake: how long a queue-mode client stays awake after its last message
// (Leshan's default is 93 s).
//
// REST (answers JSON; inputs in the query string so that no JSON parser is needed):
//   GET    /api/clients/{ep}                                  registration or 404
//   GET    /api/clients/{ep}/{path}[?format=TLV]              read ("content": {path: value})
//   PUT    /api/clients/{ep}/{path}?value=V[&format=..]       write (replace) a resource or resource instance
//   PUT    /api/clients/{ep}/{path}/attributes?pmin=1&pmax=2  write-attributes
//   POST   /api/clients/{ep}/{oid}?id=1&5700=21.5&5701=Cel[&format=..]  create (id optional)
//   DELETE /api/clients/{ep}/{oid}/{iid}                      delete
//   GET    /api/clients/{ep}/composite?paths=/3/0/0,/1/0/1&format=SENML_CBOR    read-composite
//   PUT    /api/clients/{ep}/composite?format=SENML_CBOR&/1/0/2=5&/1/0/3=50     write-composite
//   POST   /api/clients/{ep}/composite/observe?paths=..&format=..             observe-composite
//   DELETE /api/clients/{ep}/composite/observe?paths=..[&active=true]         cancel it
//   POST   /api/clients/{ep}/{path}/observe[?format=..]                       observe
//   DELETE /api/clients/{ep}/{path}/observe[?active=true]                     cancel (active: Observe=1)
//   PUT    /api/security/clients?endpoint=EP&identity=ID&key=HEX   accept EP only over DTLS with this PSK
//   DELETE /api/security/clients/{ep}
//   GET    /api/events?since=N     [{"seq","type","ep",..}] REGISTRATION UPDATED DEREGISTRATION
//                                  NOTIFICATION {"paths","val"} SEND {"val"} SLEEPING AWAKE;
//                                  val maps path -> value
// Device answers: {"status":"CONTENT(205)","success":true,"content":{path: value}}; a device that
// does not answer within `timeout` (s, default 5) gives HTTP 504. Prints "READY <coap> <web>".

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import java.io.File;

import org.eclipse.leshan.core.link.lwm2m.attributes.DefaultLwM2mAttributeParser;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributeSet;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mResourceInstance;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.node.TimestampedLwM2mNodes;
import org.eclipse.leshan.core.observation.CompositeObservation;
import org.eclipse.leshan.core.observation.Observation;
import org.eclipse.leshan.core.observation.SingleObservation;
import org.eclipse.leshan.core.request.CancelCompositeObservationRequest;
import org.eclipse.leshan.core.request.CancelObservationRequest;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.CreateRequest;
import org.eclipse.leshan.core.request.DeleteRequest;
import org.eclipse.leshan.core.request.ObserveCompositeRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadCompositeRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteAttributesRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.WriteRequest.Mode;
import org.eclipse.leshan.core.request.SendRequest;
import org.eclipse.leshan.core.request.WriteCompositeRequest;
import org.eclipse.leshan.core.response.CreateResponse;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ObserveCompositeResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.core.response.ReadCompositeResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpointsProvider;
import org.eclipse.leshan.server.californium.endpoint.coap.CoapServerProtocolProvider;
import org.eclipse.leshan.server.model.VersionedModelProvider;
import org.eclipse.leshan.server.californium.endpoint.coaps.CoapsServerProtocolProvider;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
import org.eclipse.leshan.server.security.SecurityInfo;
import org.eclipse.leshan.server.observation.ObservationListener;
import org.eclipse.leshan.server.queue.PresenceListener;
import org.eclipse.leshan.server.queue.StaticClientAwakeTimeProvider;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationListener;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.eclipse.leshan.server.send.SendListener;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

public class LeshanOpsServer {

    static LeshanServer server;
    static final InMemorySecurityStore security = new InMemorySecurityStore();
    static final List<String> events = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int coapPort = 5683, coapsPort = -1, webPort = 8080, awakeMs = 93000;
        String modelsDir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
            case "-lh": host = args[i + 1]; break;
            case "-lp": coapPort = Integer.parseInt(args[i + 1]); break;
            case "-slp": coapsPort = Integer.parseInt(args[i + 1]); break;
            case "-wp": webPort = Integer.parseInt(args[i + 1]); break;
            case "-m": modelsDir = args[i + 1]; break;
            case "-awake": awakeMs = Integer.parseInt(args[i + 1]); break;
            default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        CaliforniumServerEndpointsProvider.Builder endpoints = new CaliforniumServerEndpointsProvider.Builder(
                new CoapServerProtocolProvider(), new CoapsServerProtocolProvider());
        endpoints.addEndpoint(new InetSocketAddress(host, coapPort), org.eclipse.leshan.core.endpoint.Protocol.COAP);
        if (coapsPort >= 0) // DTLS PSK: the keys come from the security store (REST /api/security)
            endpoints.addEndpoint(new InetSocketAddress(host, coapsPort),
                    org.eclipse.leshan.core.endpoint.Protocol.COAPS);
        LeshanServerBuilder builder = new LeshanServerBuilder();
        builder.setSecurityStore(security);
        builder.setEndpointsProviders(endpoints.build());
        builder.setClientAwakeTimeProvider(new StaticClientAwakeTimeProvider(awakeMs));
        if (modelsDir != null)
            builder.setObjectModelProvider(new VersionedModelProvider(models(modelsDir)));
        server = builder.build();
        server.getRegistrationService().addListener(new Recorder());
        server.getObservationService().addListener(new Recorder());
        server.getSendService().addListener(new Recorder());
        server.getPresenceService().addListener(new Recorder());
        server.start();

        HttpServer http = HttpServer.create(new InetSocketAddress(host, webPort), 0);
        http.createContext("/api/", LeshanOpsServer::handle);
        http.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.stop(0);
            server.destroy();
        }));
        System.out.println("READY " + coapPort + " " + http.getAddress().getPort());
        System.out.flush();
    }

    static void handle(HttpExchange ex) throws IOException {
        int status = 200;
        String body;
        try {
            String method = ex.getRequestMethod();
            String full = ex.getRequestURI().getPath().replaceAll("^/api/|/$", "");
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String[] path = full.split("/");
            long timeout = q.containsKey("timeout") ? Long.parseLong(q.get("timeout")) * 1000 : 5000;
            ContentFormat fmt = q.containsKey("format") ? ContentFormat.fromName(q.get("format")) : null;
            if (path[0].equals("security") && path.length == 2 && method.equals("PUT")) {
                security.add(SecurityInfo.newPreSharedKeyInfo(q.get("endpoint"), q.get("identity"), hex(q.get("key"))));
                body = "{}";
            } else if (path[0].equals("security") && path.length == 3 && method.equals("DELETE")) {
                status = security.remove(path[2], false) == null ? 404 : 200;
                body = "{}";
            } else if (path[0].equals("events")) {
                int since = q.containsKey("since") ? Integer.parseInt(q.get("since")) : 0;
                synchronized (events) {
                    body = "[" + String.join(",", events.subList(Math.min(since, events.size()), events.size())) + "]";
                }
            } else if (path[0].equals("clients") && path.length >= 2) {
                Registration reg = server.getRegistrationService().getByEndpoint(path[1]);
                String rest = "/" + String.join("/", Arrays.copyOfRange(path, 2, path.length));
                if (reg == null) {
                    status = 404;
                    body = "no registered client with id '" + path[1] + "'";
                } else if (path.length == 2) {
                    body = registration(reg);
                } else if (rest.equals("/composite") && method.equals("GET")) {
                    body = response(server.send(reg, new ReadCompositeRequest(fmt, fmt, paths(q)), timeout));
                } else if (rest.equals("/composite") && method.equals("PUT")) {
                    Map<String, Object> values = new LinkedHashMap<>();
                    for (Map.Entry<String, String> e : q.entrySet())
                        if (e.getKey().startsWith("/"))
                            values.put(e.getKey(), typed(e.getValue()));
                    body = response(server.send(reg, new WriteCompositeRequest(fmt, values), timeout));
                } else if (rest.equals("/composite/observe") && method.equals("POST")) {
                    body = response(server.send(reg,
                            new ObserveCompositeRequest(fmt, fmt, paths(q).toArray(new String[0])), timeout));
                } else if (rest.equals("/composite/observe") && method.equals("DELETE")) {
                    body = cancel(reg, paths(q), "true".equals(q.get("active")), timeout);
                } else if (rest.endsWith("/observe") && method.equals("POST")) {
                    String target = rest.substring(0, rest.length() - "/observe".length());
                    body = response(server.send(reg, new ObserveRequest(fmt, target), timeout));
                } else if (rest.endsWith("/observe") && method.equals("DELETE")) {
                    String target = rest.substring(0, rest.length() - "/observe".length());
                    body = cancel(reg, Collections.singletonList(target), "true".equals(q.get("active")), timeout);
                } else if (rest.endsWith("/attributes") && method.equals("PUT")) {
                    String target = rest.substring(0, rest.length() - "/attributes".length());
                    String raw = ex.getRequestURI().getRawQuery().replaceAll("(^|&)timeout=[^&]*", "");
                    LwM2mAttributeSet attrs = new LwM2mAttributeSet(
                            new DefaultLwM2mAttributeParser().parseUriQuery(raw.replaceAll("^&", "")));
                    body = response(server.send(reg, new WriteAttributesRequest(target, attrs), timeout));
                } else if (method.equals("POST") && path.length == 3) {
                    body = response(server.send(reg, create(Integer.parseInt(path[2]), q, fmt), timeout));
                } else if (method.equals("DELETE") && path.length == 4) {
                    body = response(server.send(reg, new DeleteRequest(rest), timeout));
                } else if (method.equals("GET")) {
                    body = response(server.send(reg, new ReadRequest(fmt, rest), timeout), rest);
                } else if (method.equals("PUT") && q.containsKey("value")) {
                    LwM2mPath target = new LwM2mPath(rest);
                    Object value = typed(q.get("value"));
                    LwM2mNode node = target.isResourceInstance()
                            ? LwM2mResourceInstance.newInstance(target.getResourceInstanceId(), value)
                            : LwM2mSingleResource.newResource(target.getResourceId(), value);
                    body = response(server.send(reg, new WriteRequest(Mode.REPLACE, fmt, rest, node), timeout));
                } else {
                    status = 404;
                    body = "no such call: " + method + " " + ex.getRequestURI();
                }
                if (body == null) {
                    status = 504;
                    body = "device timeout";
                }
            } else {
                status = 404;
                body = "no such call: " + method + " " + ex.getRequestURI();
            }
        } catch (Exception e) {
            // a bad request is the operator's mistake: answer 400 with the reason
            status = 400;
            body = e.toString();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("[") || body.startsWith("{")
                ? "application/json" : "text/plain");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    // Cancel the observation of exactly these paths: actively (the device gets GET Observe=1
    // or, composite, FETCH Observe=1) or passively (forgotten: the next notification is reset).
    static String cancel(Registration reg, List<String> targets, boolean active, long timeout) throws Exception {
        List<LwM2mPath> wanted = new ArrayList<>();
        for (String t : targets)
            wanted.add(new LwM2mPath(t));
        for (Observation o : server.getObservationService().getObservations(reg)) {
            if (o instanceof SingleObservation && wanted.size() == 1
                    && ((SingleObservation) o).getPath().equals(wanted.get(0))) {
                if (!active) {
                    server.getObservationService().cancelObservation(o);
                    return "{\"cancelled\":true}";
                }
                return response(server.send(reg, new CancelObservationRequest((SingleObservation) o), timeout));
            }
            if (o instanceof CompositeObservation && ((CompositeObservation) o).getPaths().equals(wanted)) {
                if (!active) {
                    server.getObservationService().cancelObservation(o);
                    return "{\"cancelled\":true}";
                }
                return response(
                        server.send(reg, new CancelCompositeObservationRequest((CompositeObservation) o), timeout));
            }
        }
        throw new IllegalArgumentException("no observation of " + targets);
    }

    // Leshan's own models (0-7, 21) plus those of the folder a version of which Leshan lacks.
    static List<ObjectModel> models(String dir) {
        List<ObjectModel> out = new ArrayList<>(ObjectLoader.loadAllDefault());
        List<String> known = new ArrayList<>();
        for (ObjectModel m : out)
            known.add(m.id + "@" + m.version);
        for (ObjectModel m : ObjectLoader.loadObjectsFromDir(new File(dir), false))
            if (!known.contains(m.id + "@" + m.version))
                out.add(m);
        return out;
    }

    // Create: the query's numeric keys are resource ids with their values; id= the instance id
    // (absent: the client picks one).
    static CreateRequest create(int oid, Map<String, String> q, ContentFormat fmt) {
        List<org.eclipse.leshan.core.node.LwM2mResource> resources = new ArrayList<>();
        for (Map.Entry<String, String> e : q.entrySet())
            if (e.getKey().matches("[0-9]+"))
                resources.add(LwM2mSingleResource.newResource(Integer.parseInt(e.getKey()), typed(e.getValue())));
        if (!q.containsKey("id"))
            return new CreateRequest(fmt, oid, resources);
        return new CreateRequest(fmt, oid, new LwM2mObjectInstance(Integer.parseInt(q.get("id")), resources));
    }

    static List<String> paths(Map<String, String> q) {
        if (!q.containsKey("paths"))
            throw new IllegalArgumentException("paths=/a/b,/c/d is required");
        return Arrays.asList(q.get("paths").split(","));
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw != null)
            for (String part : raw.split("&")) {
                int eq = part.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                q.put(k, eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        return q;
    }

    // A query value as the Java type Leshan encodes: true/false, integer, float, else string.
    static Object typed(String v) {
        if (v.equals("true") || v.equals("false"))
            return Boolean.valueOf(v);
        try {
            return Long.valueOf(v);
        } catch (NumberFormatException e) {
            // not an integer
        }
        try {
            return Double.valueOf(v);
        } catch (NumberFormatException e) {
            return v;
        }
    }

    static String response(LwM2mResponse r) {
        return response(r, "/");
    }

    static String response(LwM2mResponse r, String path) {
        if (r == null)
            return null;
        StringBuilder sb = new StringBuilder("{\"status\":").append(str(r.getCode().toString()))
                .append(",\"success\":").append(r.isSuccess());
        Map<LwM2mPath, LwM2mNode> content = null;
        if (r instanceof ReadCompositeResponse)
            content = ((ReadCompositeResponse) r).getContent();
        else if (r instanceof ObserveCompositeResponse)
            content = ((ObserveCompositeResponse) r).getContent();
        else if (r instanceof ReadResponse && !(r instanceof ObserveResponse) && r.isSuccess())
            content = Collections.singletonMap(new LwM2mPath(path), ((ReadResponse) r).getContent());
        else if (r instanceof ObserveResponse && ((ObserveResponse) r).getObservation() != null)
            content = Collections.singletonMap(((ObserveResponse) r).getObservation().getPath(),
                    ((ObserveResponse) r).getContent());
        if (content != null)
            sb.append(",\"content\":").append(nodes(content));
        if (r instanceof CreateResponse && ((CreateResponse) r).getLocation() != null)
            sb.append(",\"location\":").append(str(((CreateResponse) r).getLocation()));
        if (r.getErrorMessage() != null)
            sb.append(",\"errormessage\":").append(str(r.getErrorMessage()));
        return sb.append("}").toString();
    }

    static String registration(Registration reg) {
        return "{\"endpoint\":" + str(reg.getEndpoint()) + ",\"registrationId\":" + str(reg.getId())
                + ",\"lifetime\":" + reg.getLifeTimeInSec() + ",\"queuemode\":" + reg.usesQueueMode() + "}";
    }

    // {"/3/0/0": value, ...}; absent nodes (partial presence) are null; in path order
    static String nodes(Map<LwM2mPath, LwM2mNode> content) {
        Map<LwM2mPath, LwM2mNode> sorted = new TreeMap<>(content);
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<LwM2mPath, LwM2mNode> e : sorted.entrySet()) {
            if (sb.length() > 1)
                sb.append(",");
            sb.append(str(e.getKey().toString())).append(":").append(node(e.getValue()));
        }
        return sb.append("}").toString();
    }

    // single value -> JSON value; multiple resource / instance / object -> {"id": ...}
    static String node(LwM2mNode n) {
        if (n == null)
            return "null";
        if (n instanceof LwM2mSingleResource)
            return value(((LwM2mSingleResource) n).getValue());
        if (n instanceof LwM2mResourceInstance)
            return value(((LwM2mResourceInstance) n).getValue());
        Map<Integer, ? extends LwM2mNode> children;
        if (n instanceof LwM2mMultipleResource)
            children = ((LwM2mMultipleResource) n).getInstances();
        else if (n instanceof LwM2mObjectInstance)
            children = ((LwM2mObjectInstance) n).getResources();
        else if (n instanceof LwM2mObject)
            children = ((LwM2mObject) n).getInstances();
        else
            return str(n.toString());
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<Integer, ? extends LwM2mNode> e : new TreeMap<>(children).entrySet()) {
            if (sb.length() > 1)
                sb.append(",");
            sb.append("\"").append(e.getKey()).append("\":").append(node(e.getValue()));
        }
        return sb.append("}").toString();
    }

    static String value(Object v) {
        if (v instanceof Boolean || v instanceof Long || v instanceof Double)
            return v.toString();
        if (v instanceof Date)
            return Long.toString(((Date) v).getTime() / 1000);
        if (v instanceof byte[]) {
            StringBuilder sb = new StringBuilder();
            for (byte b : (byte[]) v)
                sb.append(String.format("%02x", b));
            return str(sb.toString());
        }
        return str(String.valueOf(v));
    }

    static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++)
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\')
                sb.append('\\').append(c);
            else if (c < 0x20)
                sb.append(String.format("\\u%04x", (int) c));
            else
                sb.append(c);
        }
        return sb.append("\"").toString();
    }

    static void event(String type, String endpoint, String extra) {
        synchronized (events) {
            events.add("{\"seq\":" + (events.size() + 1) + ",\"type\":" + str(type) + ",\"ep\":" + str(endpoint)
                    + (extra == null ? "" : "," + extra) + "}");
        }
    }

    static String pathList(Collection<LwM2mPath> paths) {
        List<String> out = new ArrayList<>();
        for (LwM2mPath p : paths)
            out.add(str(p.toString()));
        return "[" + String.join(",", out) + "]";
    }

    static class Recorder implements RegistrationListener, ObservationListener, SendListener, PresenceListener {
        public void onAwake(Registration reg) {
            event("AWAKE", reg.getEndpoint(), null);
        }

        public void onSleeping(Registration reg) {
            event("SLEEPING", reg.getEndpoint(), null);
        }

        public void registered(Registration reg, Registration previous, Collection<Observation> observations) {
            event("REGISTRATION", reg.getEndpoint(), "\"registration\":" + registration(reg));
        }

        public void updated(RegistrationUpdate update, Registration reg, Registration previous) {
            event("UPDATED", reg.getEndpoint(), "\"registration\":" + registration(reg));
        }

        public void unregistered(Registration reg, Collection<Observation> observations, boolean expired,
                Registration newReg) {
            event("DEREGISTRATION", reg.getEndpoint(), "\"expired\":" + expired);
        }

        public void newObservation(Observation observation, Registration reg) {
        }

        public void cancelled(Observation observation) {
        }

        public void onResponse(SingleObservation o, Registration reg, ObserveResponse r) {
            event("NOTIFICATION", reg.getEndpoint(), "\"paths\":" + pathList(Collections.singletonList(o.getPath()))
                    + ",\"val\":" + nodes(Collections.singletonMap(o.getPath(), r.getContent())));
        }

        public void onResponse(CompositeObservation o, Registration reg, ObserveCompositeResponse r) {
            event("NOTIFICATION", reg.getEndpoint(), "\"paths\":" + pathList(o.getPaths()) + ",\"val\":"
                    + nodes(r.getContent()));
        }

        public void onError(Observation o, Registration reg, Exception error) {
            event("OBSERVE_ERROR", reg.getEndpoint(), "\"error\":" + str(String.valueOf(error)));
        }

        public void dataReceived(Registration reg, TimestampedLwM2mNodes data, SendRequest request) {
            event("SEND", reg.getEndpoint(), "\"val\":" + nodes(data.getNodes()));
        }

        public void onError(Registration reg, String message, Exception error) {
            event("SEND_ERROR", reg.getEndpoint(), "\"error\":" + str(message + " " + error));
        }
    }
}
