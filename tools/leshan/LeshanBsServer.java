// A Leshan bootstrap server with a small REST API, for the interoperability tests.
//
// Maven Central carries no Leshan demo bootstrap server (only leshan-server-demo 2.0.0-M4), so this
// wraps the bootstrap server of the Leshan library that jar bundles (LeshanBootstrapServerBuilder)
// and gives it the REST calls an operator needs. Compiled and run by host_sim/leshan.py:
//
//   java -cp <leshan-server-demo jar>:<classes> LeshanBsServer -lh 127.0.0.1 -lp 5783 -slp 5784 -wp 8081
//        [-cert server.der -prik server-pkcs8.der -truststore ca.der]    (X.509 on the coaps port)
//
// REST (JSON; byte strings as hex):
//   GET    /api/bootstrap              every configuration, by endpoint
//   PUT    /api/bootstrap/{ep}         set the configuration of one endpoint (see parseConfig)
//   DELETE /api/bootstrap/{ep}
//   PUT    /api/security/clients       {"endpoint":..,"psk":{"identity":..,"key":hex}} or
//                                      {"endpoint":..,"x509":true} (as the demo server)
//   DELETE /api/security/clients/{ep}
//   GET    /api/events?since=N         bootstrap session events numbered from 1: [{"seq","type","ep",..}]
// It prints "READY <coap> <coaps> <web>" once every port is bound.

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.core.request.BootstrapDownlinkRequest;
import org.eclipse.leshan.core.request.BootstrapRequest;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.Identity;
import org.eclipse.leshan.core.SecurityMode;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.bootstrap.BootstrapConfig;
import org.eclipse.leshan.server.bootstrap.BootstrapFailureCause;
import org.eclipse.leshan.server.bootstrap.BootstrapSession;
import org.eclipse.leshan.server.bootstrap.BootstrapSessionListener;
import org.eclipse.leshan.server.bootstrap.InMemoryBootstrapConfigStore;
import org.eclipse.leshan.server.californium.bootstrap.LeshanBootstrapServer;
import org.eclipse.leshan.server.californium.bootstrap.LeshanBootstrapServerBuilder;
import org.eclipse.leshan.server.security.BootstrapSecurityStore;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
import org.eclipse.leshan.server.security.SecurityInfo;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

public class LeshanBsServer {

    static final InMemoryBootstrapConfigStore configs = new InMemoryBootstrapConfigStore();
    static final InMemorySecurityStore security = new InMemorySecurityStore();
    static final List<JsonObject> events = Collections.synchronizedList(new ArrayList<>());

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int coapPort = 5683, coapsPort = 5684, webPort = 8080;
        String cert = null, key = null, trust = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
            case "-lh": host = args[i + 1]; break;
            case "-lp": coapPort = Integer.parseInt(args[i + 1]); break;
            case "-slp": coapsPort = Integer.parseInt(args[i + 1]); break;
            case "-wp": webPort = Integer.parseInt(args[i + 1]); break;
            case "-cert": cert = args[i + 1]; break;
            case "-prik": key = args[i + 1]; break;
            case "-truststore": trust = args[i + 1]; break;
            default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        LeshanBootstrapServerBuilder builder = new LeshanBootstrapServerBuilder();
        builder.setLocalAddress(host, coapPort);
        builder.setLocalSecureAddress(host, coapsPort);
        builder.setConfigStore(configs);
        if (cert != null) {
            // X.509: our certificate and key (DER, PKCS#8), clients' certificates must lead to the CA
            builder.setCertificateChain(new X509Certificate[] { certificate(cert) });
            builder.setPrivateKey(KeyFactory.getInstance("EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(Paths.get(key)))));
            builder.setTrustedCertificates(new X509Certificate[] { certificate(trust) });
        }
        // The library wants a store that can list several infos per endpoint; ours holds one.
        builder.setSecurityStore(new BootstrapSecurityStore() {
            public Iterator<SecurityInfo> getAllByEndpoint(String endpoint) {
                SecurityInfo info = security.getByEndpoint(endpoint);
                return info == null ? null : Collections.singletonList(info).iterator();
            }

            public SecurityInfo getByIdentity(String identity) {
                return security.getByIdentity(identity);
            }
        });
        LeshanBootstrapServer server = builder.build();
        server.addListener(new EventRecorder());
        server.start();

        HttpServer http = HttpServer.create(new InetSocketAddress(host, webPort), 0);
        http.createContext("/api/", LeshanBsServer::handle);
        http.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            http.stop(0);
            server.destroy();
        }));
        System.out.println("READY " + server.getUnsecuredAddress().getPort() + " "
                + server.getSecuredAddress().getPort() + " " + http.getAddress().getPort());
        System.out.flush();
    }

    static void handle(HttpExchange ex) throws IOException {
        int status = 200;
        String body = "";
        try {
            String[] path = ex.getRequestURI().getPath().replaceAll("^/api/|/$", "").split("/");
            String method = ex.getRequestMethod();
            String input = new String(readAll(ex.getRequestBody()), StandardCharsets.UTF_8);
            if (path[0].equals("bootstrap") && path.length == 1 && method.equals("GET")) {
                JsonObject all = new JsonObject();
                for (Map.Entry<String, BootstrapConfig> e : configs.getAll().entrySet())
                    all.addProperty(e.getKey(), e.getValue().toString());
                body = all.toString();
            } else if (path[0].equals("bootstrap") && path.length == 2 && method.equals("PUT")) {
                configs.add(path[1], parseConfig(JsonParser.parseString(input).getAsJsonObject()));
            } else if (path[0].equals("bootstrap") && path.length == 2 && method.equals("DELETE")) {
                status = configs.remove(path[1]) == null ? 404 : 200;
            } else if (path[0].equals("security") && path.length == 2 && method.equals("PUT")) {
                JsonObject o = JsonParser.parseString(input).getAsJsonObject();
                String ep = o.get("endpoint").getAsString();
                if (o.has("x509") && o.get("x509").getAsBoolean()) {
                    security.add(SecurityInfo.newX509CertInfo(ep)); // the certificate's CN must be ep
                } else {
                    JsonObject psk = o.getAsJsonObject("psk");
                    security.add(SecurityInfo.newPreSharedKeyInfo(ep, psk.get("identity").getAsString(),
                            hex(psk.get("key").getAsString())));
                }
            } else if (path[0].equals("security") && path.length == 3 && method.equals("DELETE")) {
                status = security.remove(path[2], false) == null ? 404 : 200;
            } else if (path[0].equals("events") && method.equals("GET")) {
                String q = ex.getRequestURI().getQuery();
                int since = q != null && q.startsWith("since=") ? Integer.parseInt(q.substring(6)) : 0;
                JsonArray out = new JsonArray();
                synchronized (events) {
                    for (int i = since; i < events.size(); i++)
                        out.add(events.get(i));
                }
                body = out.toString();
            } else {
                status = 404;
                body = "no such call: " + method + " " + ex.getRequestURI();
            }
        } catch (Exception e) {
            // a bad configuration is the operator's mistake: answer 400 with the reason
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

    // {"toDelete":["/0","/1"], "autoIdForSecurityObject":false, "contentFormat":"TLV",
    //  "servers":{"0":{"shortId":123,"lifetime":300,"defaultMinPeriod":1,"defaultMaxPeriod":60,
    //                  "notifIfDisabled":true,"binding":"UQ"}},
    //  "security":{"0":{"uri":"coap://127.0.0.1:5683","bootstrapServer":false,"securityMode":"NO_SEC",
    //                   "publicKeyOrId":hex,"secretKey":hex,"serverPublicKey":hex,"serverId":123,
    //                   "clientOldOffTime":1,"bootstrapServerAccountTimeout":0}},
    //  "acls":{"0":{"objectId":3303,"objectInstanceId":1,"acls":{"123":15},"owner":123}}}
    static BootstrapConfig parseConfig(JsonObject o) {
        BootstrapConfig c = new BootstrapConfig();
        if (o.has("toDelete"))
            for (JsonElement p : o.getAsJsonArray("toDelete"))
                c.toDelete.add(p.getAsString());
        if (o.has("autoIdForSecurityObject"))
            c.autoIdForSecurityObject = o.get("autoIdForSecurityObject").getAsBoolean();
        if (o.has("contentFormat"))
            c.contentFormat = ContentFormat.fromName(o.get("contentFormat").getAsString());
        if (o.has("servers"))
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("servers").entrySet()) {
                JsonObject s = e.getValue().getAsJsonObject();
                BootstrapConfig.ServerConfig sc = new BootstrapConfig.ServerConfig();
                sc.shortId = s.get("shortId").getAsInt();
                if (s.has("lifetime")) sc.lifetime = s.get("lifetime").getAsInt();
                if (s.has("defaultMinPeriod")) sc.defaultMinPeriod = s.get("defaultMinPeriod").getAsInt();
                if (s.has("defaultMaxPeriod")) sc.defaultMaxPeriod = s.get("defaultMaxPeriod").getAsInt();
                if (s.has("disableTimeout")) sc.disableTimeout = s.get("disableTimeout").getAsInt();
                if (s.has("notifIfDisabled")) sc.notifIfDisabled = s.get("notifIfDisabled").getAsBoolean();
                if (s.has("binding")) sc.binding = BindingMode.parse(s.get("binding").getAsString());
                c.servers.put(Integer.valueOf(e.getKey()), sc);
            }
        if (o.has("security"))
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("security").entrySet()) {
                JsonObject s = e.getValue().getAsJsonObject();
                BootstrapConfig.ServerSecurity ss = new BootstrapConfig.ServerSecurity();
                ss.uri = s.get("uri").getAsString();
                if (s.has("bootstrapServer")) ss.bootstrapServer = s.get("bootstrapServer").getAsBoolean();
                ss.securityMode = SecurityMode.valueOf(s.has("securityMode")
                        ? s.get("securityMode").getAsString() : "NO_SEC");
                if (s.has("publicKeyOrId")) ss.publicKeyOrId = hex(s.get("publicKeyOrId").getAsString());
                if (s.has("serverPublicKey")) ss.serverPublicKey = hex(s.get("serverPublicKey").getAsString());
                if (s.has("secretKey")) ss.secretKey = hex(s.get("secretKey").getAsString());
                if (s.has("serverId")) ss.serverId = s.get("serverId").getAsInt();
                if (s.has("clientOldOffTime")) ss.clientOldOffTime = s.get("clientOldOffTime").getAsInt();
                if (s.has("bootstrapServerAccountTimeout"))
                    ss.bootstrapServerAccountTimeout = s.get("bootstrapServerAccountTimeout").getAsInt();
                c.security.put(Integer.valueOf(e.getKey()), ss);
            }
        if (o.has("acls"))
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("acls").entrySet()) {
                JsonObject a = e.getValue().getAsJsonObject();
                BootstrapConfig.ACLConfig ac = new BootstrapConfig.ACLConfig();
                ac.objectId = a.get("objectId").getAsInt();
                ac.objectInstanceId = a.get("objectInstanceId").getAsInt();
                ac.acls = new java.util.HashMap<>();
                if (a.has("acls"))
                    for (Map.Entry<String, JsonElement> r : a.getAsJsonObject("acls").entrySet())
                        ac.acls.put(Integer.valueOf(r.getKey()), r.getValue().getAsLong());
                if (a.has("owner"))
                    ac.AccessControlOwner = a.get("owner").getAsInt();
                c.acls.put(Integer.valueOf(e.getKey()), ac);
            }
        return c;
    }

    static X509Certificate certificate(String file) throws Exception {
        try (InputStream in = Files.newInputStream(Paths.get(file))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++)
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = in.read(buf)) > 0;)
            out.write(buf, 0, n);
        return out.toByteArray();
    }

    static void event(String type, String endpoint, String detail) {
        JsonObject e = new JsonObject();
        synchronized (events) {
            e.addProperty("seq", events.size() + 1);
            e.addProperty("type", type);
            e.addProperty("ep", endpoint);
            if (detail != null)
                e.addProperty("detail", detail);
            events.add(e);
        }
    }

    // Every step of every bootstrap session, in order, for the tests to assert on.
    static class EventRecorder implements BootstrapSessionListener {
        public void sessionInitiated(BootstrapRequest request, Identity identity) {
            event("INITIATED", request.getEndpointName(), identity.toString());
        }

        public void unAuthorized(BootstrapRequest request, Identity identity) {
            event("UNAUTHORIZED", request.getEndpointName(), identity.toString());
        }

        public void authorized(BootstrapSession session) {
            event("AUTHORIZED", session.getEndpoint(), null);
        }

        public void noConfig(BootstrapSession session) {
            event("NOCONFIG", session.getEndpoint(), null);
        }

        public void sendRequest(BootstrapSession session, BootstrapDownlinkRequest<? extends LwM2mResponse> r) {
            event("REQUEST", session.getEndpoint(), r.getClass().getSimpleName() + " " + r.getPath());
        }

        public void onResponseSuccess(BootstrapSession session,
                BootstrapDownlinkRequest<? extends LwM2mResponse> r, LwM2mResponse response) {
            event("SUCCESS", session.getEndpoint(), r.getClass().getSimpleName() + " " + r.getPath() + " "
                    + response.getCode());
        }

        public void onResponseError(BootstrapSession session,
                BootstrapDownlinkRequest<? extends LwM2mResponse> r, LwM2mResponse response) {
            event("ERROR", session.getEndpoint(), r.getClass().getSimpleName() + " " + r.getPath() + " "
                    + response.getCode());
        }

        public void onRequestFailure(BootstrapSession session,
                BootstrapDownlinkRequest<? extends LwM2mResponse> r, Throwable cause) {
            event("FAILURE", session.getEndpoint(), r.getClass().getSimpleName() + " " + r.getPath() + " " + cause);
        }

        public void end(BootstrapSession session) {
            event("END", session.getEndpoint(), null);
        }

        public void failed(BootstrapSession session, BootstrapFailureCause cause) {
            event("FAILED", session.getEndpoint(), String.valueOf(cause));
        }
    }
}
