// A Leshan LwM2M client that stands in for ours, so the harness and the case tests can be checked
// against Leshan before our client exists.
//
// Maven Central carries no Leshan demo client, so this builds one from the Leshan client library
// (leshan-client-cf 2.0.0-M4, the version the demo server jar bundles). Run by host_sim/leshan.py:
//
//   java -cp <jars>:<classes> LeshanStandInClient -n EP -u coap://127.0.0.1:5683 [-b] [-i ID -p HEXKEY] [-l 300]
//
// -b: the URI is a bootstrap server. -i/-p: PSK identity and key. -l: lifetime in seconds.
// Objects: Security (0), Server (1), Device (3) with writable 14/15, executable 4 (reboot) and a
// current time (13) that changes every second so observations notify.
// It prints one line per registration event ("REGISTERED <id>", "UPDATED", "BOOTSTRAPPED", ...) and
// "REBOOT" on /3/0/4; reads commands on stdin (update, bootstrap, deregister, start,
// send /3/0/13,/3/0/9 -> "SENT <code>"); SIGTERM
// deregisters and exits.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.leshan.client.californium.LeshanClient;
import org.eclipse.leshan.client.californium.LeshanClientBuilder;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.servers.ServerIdentity;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.request.BootstrapRequest;
import org.eclipse.leshan.core.request.DeregisterRequest;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.request.UpdateRequest;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.response.BootstrapResponse;
import org.eclipse.leshan.core.response.SendResponse;
import org.eclipse.leshan.core.response.DeregisterResponse;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.RegisterResponse;
import org.eclipse.leshan.core.response.UpdateResponse;
import org.eclipse.leshan.core.response.WriteResponse;
import org.eclipse.leshan.core.node.LwM2mResource;

public class LeshanStandInClient {

    public static void main(String[] args) throws Exception {
        String endpoint = null, uri = null, identity = null, key = null;
        boolean bootstrap = false;
        long lifetime = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
            case "-n": endpoint = args[++i]; break;
            case "-u": uri = args[++i]; break;
            case "-b": bootstrap = true; break;
            case "-i": identity = args[++i]; break;
            case "-p": key = args[++i]; break;
            case "-l": lifetime = Long.parseLong(args[++i]); break;
            default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (endpoint == null || uri == null)
            throw new IllegalArgumentException("-n ENDPOINT and -u URI are required");

        ObjectsInitializer init = new ObjectsInitializer();
        byte[] id = identity == null ? null : identity.getBytes("UTF-8");
        byte[] psk = key == null ? null : hex(key);
        if (bootstrap) {
            init.setInstancesForObject(0, psk == null ? Security.noSecBootstap(uri)
                    : Security.pskBootstrap(uri, id, psk));
            init.setClassForObject(1, Server.class);
        } else {
            init.setInstancesForObject(0, psk == null ? Security.noSec(uri, 123) : Security.psk(uri, 123, id, psk));
            init.setInstancesForObject(1, new Server(123, lifetime));
        }
        StandInDevice device = new StandInDevice();
        init.setInstancesForObject(3, device);

        LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
        builder.setLocalAddress("127.0.0.1", 0);
        builder.setObjects(init.create(0, 1, 3));
        LeshanClient client = builder.build();
        client.addObserver(new Printer());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        ticker.scheduleAtFixedRate(() -> device.fireResourcesChange(13), 1, 1, TimeUnit.SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ticker.shutdownNow();
            client.destroy(true);
            System.out.println("STOPPED");
            System.out.flush();
        }));
        client.start();
        say("STARTED");
        // Commands on stdin let a test make the client act on its own initiative.
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        for (String line; (line = in.readLine()) != null;) {
            if (line.startsWith("send ")) {
                send(client, line.substring(5).trim().split(","));
                continue;
            }
            switch (line.trim()) {
            case "update": client.triggerRegistrationUpdate(); break;
            case "bootstrap": client.triggerClientInitiatedBootstrap(true); break;
            case "deregister": client.stop(true); say("STOPPED_CLIENT"); break;
            case "start": client.start(); break;
            default: say("UNKNOWN_COMMAND " + line);
            }
        }
    }

    // LwM2M Send of these paths to the (first) registered server, SenML CBOR.
    static void send(LeshanClient client, String[] paths) {
        try {
            ServerIdentity server = client.getRegisteredServers().values().iterator().next();
            SendResponse r = client.sendData(server, ContentFormat.SENML_CBOR, Arrays.asList(paths), 5000);
            say("SENT " + (r == null ? "timeout" : r.getCode()));
        } catch (Exception e) {
            say("SEND_FAILED " + e);
        }
    }

    static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++)
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }

    static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static class Printer extends LwM2mClientObserverAdapter {
        public void onBootstrapSuccess(ServerIdentity server, BootstrapRequest request) {
            say("BOOTSTRAPPED");
        }

        public void onBootstrapFailure(ServerIdentity server, BootstrapRequest request, BootstrapResponse response,
                Exception e) {
            say("BOOTSTRAP_FAILED " + (response == null ? e : response.getCode()));
        }

        public void onRegistrationSuccess(ServerIdentity server, RegisterRequest request, String registrationID) {
            say("REGISTERED " + registrationID);
        }

        public void onRegistrationFailure(ServerIdentity server, RegisterRequest request, RegisterResponse response,
                Exception e) {
            say("REGISTRATION_FAILED " + (response == null ? e : response.getCode()));
        }

        public void onUpdateSuccess(ServerIdentity server, UpdateRequest request) {
            say("UPDATED");
        }

        public void onDeregistrationSuccess(ServerIdentity server, DeregisterRequest request) {
            say("DEREGISTERED");
        }
    }

    // Device (3): just enough for the cases: fixed strings, writable utc offset and timezone,
    // reboot, and a current time that moves.
    public static class StandInDevice extends BaseInstanceEnabler {
        private String utcOffset = "+01:00";
        private String timezone = "Europe/Paris";

        public StandInDevice() {
        }

        public ReadResponse read(ServerIdentity identity, int resourceId) {
            switch (resourceId) {
            case 0: return ReadResponse.success(resourceId, "Eclipse Leshan");
            case 1: return ReadResponse.success(resourceId, "stand-in");
            case 2: return ReadResponse.success(resourceId, "0001");
            case 3: return ReadResponse.success(resourceId, "2.0.0-M4");
            case 9: return ReadResponse.success(resourceId, 87L);
            case 13: return ReadResponse.success(resourceId, new Date());
            case 14: return ReadResponse.success(resourceId, utcOffset);
            case 15: return ReadResponse.success(resourceId, timezone);
            case 16: return ReadResponse.success(resourceId, "U");
            default: return super.read(identity, resourceId);
            }
        }

        public WriteResponse write(ServerIdentity identity, boolean replace, int resourceId, LwM2mResource value) {
            switch (resourceId) {
            case 14: utcOffset = (String) value.getValue(); break;
            case 15: timezone = (String) value.getValue(); break;
            default: return super.write(identity, replace, resourceId, value);
            }
            fireResourcesChange(resourceId);
            return WriteResponse.success();
        }

        public ExecuteResponse execute(ServerIdentity identity, int resourceId, String params) {
            if (resourceId == 4) {
                say("REBOOT");
                return ExecuteResponse.success();
            }
            return super.execute(identity, resourceId, params);
        }

        public List<Integer> getAvailableResourceIds(ObjectModel model) {
            return Arrays.asList(0, 1, 2, 3, 4, 9, 13, 14, 15, 16);
        }
    }
}
