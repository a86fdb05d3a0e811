# Run the LwM2M client against any server, printing every CoAP message:
#   micropython -m lwm2m.main coap://127.0.0.1:5683 my-device [lifetime]
#   micropython -m lwm2m.main coaps://host:5684 my-device [lifetime] --psk IDENTITY:HEXKEY
#   ... --cert CERT.der,KEY.der,SERVER_CA.der (certificates); --bootstrap: the URI is a bootstrap server
#   ... --bootstrap-uri URI: a bootstrap server account beside the LwM2M server's (/0/0, Bootstrap-
#       Server true; the server's account is then /0/1 and /1/1): the device registers with the
#       URI and bootstraps when that fails (/1/x/16); --psk/--cert secure it too if it is coaps
#   ... --retry COUNT,TIMER[,SEQ_DELAY,SEQ_RETRY] (registration retries where the Server object
#       does not set them, /1/x/17-20; spec defaults 5,60,86400,1), --no-fallback (do not
#       bootstrap again when registration fails, /1/x/16), --dtls-timeout SECONDS[,ATTEMPTS]
#       (one DTLS handshake attempt; 60,2), --ack-timeout MS (CoAP ACK_TIMEOUT, 2000)
#   ... --queue [--awake SECONDS]: queue mode (binding UQ); after SECONDS (default 93) without
#       traffic the device sleeps: what arrives then is dropped, as with the radio off
#   ... --control: commands on stdin, one a line (update, send PATH.., set PATH VALUE,
#       create, delete, deregister, quit; see lwm2m/control.py); the end of stdin quits.
#       Off by default: on a board stdin is the REPL's serial line.
# (`make run SERVER=coap://127.0.0.1:5683 EP=my-device` on the unix port;
# `python -m lwm2m.main ...` from firmware/ on CPython). Runs until stopped
# (Ctrl-C de-registers). The device: Device (3) with power sources, a reboot
# hook that only prints, Connectivity Statistics (7), a Location (6), Access
# Control (2) and a Temperature (3303) whose value drifts every minute so
# observations have something to report.
import sys

from lwm2m.compat import sleep_ms
from lwm2m.clock import SystemClock
from lwm2m.link.udp import UdpLink
from lwm2m.link.peers import PeerLinks
from lwm2m.model import Model
from lwm2m.coap.message import decode, URI_PATH, URI_QUERY, LOCATION_PATH, CONTENT_FORMAT, OBSERVE
from lwm2m.client.client import Client
from lwm2m.client.servers import provision, parse_uri
from lwm2m.objects.std_device import Device
from lwm2m.objects.std_connstats import ConnectivityStatistics

_TYPES = "CNAR"


def describe(data):
    """One line for a CoAP datagram: type, code, MID, path?query, options, payload size."""
    try:
        m = decode(bytes(data))
    except Exception as e:
        return "undecodable %d B (%r)" % (len(data), e)
    code = m.code
    if 0 < code < 32:
        name = ("GET", "POST", "PUT", "DELETE", "FETCH", "PATCH", "iPATCH")[code - 1] if code < 8 else str(code)
    else:
        name = "%d.%02d" % (code >> 5, code & 31)
    out = "%s %s mid=%d" % (_TYPES[m.type], name, m.mid)
    path = "/".join([bytes(v).decode() for v in m.options(URI_PATH)])
    if path or 0 < code < 32:
        out += " /" + path
    q = "&".join([bytes(v).decode() for v in m.options(URI_QUERY)])
    if q:
        out += "?" + q
    loc = "/".join([bytes(v).decode() for v in m.options(LOCATION_PATH)])
    if loc:
        out += " loc=/" + loc
    if m.option(OBSERVE) is not None:
        out += " obs=%d" % m.uint(OBSERVE)
    if m.option(CONTENT_FORMAT) is not None:
        out += " cf=%d" % m.uint(CONTENT_FORMAT)
    if m.payload:
        out += " %d B" % len(m.payload)
        # Writes to Security (0) and OSCORE (21) carry keys: their size only.
        if m.uint(CONTENT_FORMAT) in (0, 40, 110) and path.split("/")[0] not in ("0", "21"):
            try:
                out += " " + bytes(m.payload[:120]).decode()
            except Exception:  # cut inside a UTF-8 sequence
                pass
    return out


def build(uri, lifetime, psk=None, cert=None, bootstrap=False, out=print, bs_uri=None):
    """psk: (identity, key) -> Security mode 0; cert: (certificate, private
    key, server's trust anchor), DER -> mode 2; bootstrap: uri is a bootstrap
    server (the factory bootstrap account) rather than a LwM2M server;
    bs_uri: a bootstrap server account beside uri's LwM2M server account
    (secured like it when coaps). out(line): where the device's own messages go."""
    model = Model()
    # power sources: internal battery (1) and USB (5), with their voltages (mV) and currents (mA)
    dev = Device({"manufacturer": "lwm2m-micropython", "model": "unix", "serial": "0001",
                  "firmware": "0.1"}, reboot=lambda: out("# reboot requested (ignored here)"),
                 power_sources={0: 1, 1: 5})
    dev.install(model)
    model.set((3, 0, 7), {0: 3800, 1: 5000})
    model.set((3, 0, 8), {0: 120, 1: 450})
    model.set((3, 0, 9), 100)
    stats = ConnectivityStatistics().install(model)
    model.add(6, 0, {0: 48.8584, 1: 2.2945, 5: 1700000000})
    # an Access Control instance (its ACL is a writable multiple resource; with
    # one server the client checks no ACL, E.3)
    model.add(2, 0, {0: 3303, 1: 0, 2: {1: 15}, 3: 1})
    model.add(3303, 0, {5700: 21.0, 5701: "Cel", 5750: "room"})
    if bootstrap or bs_uri:
        # /0/0, as a bootstrap server expects (Leshan's and ours write the
        # server's account to /0/1): a write there must not replace this one
        model.add(0, 0, {0: bs_uri or uri, 1: True, 2: 3, 11: 0})
        if bs_uri and bs_uri.startswith("coaps:"):
            credentials(model, 0, psk, cert)
    iid = 0 if bootstrap else provision(model, uri, ssid=1, lifetime=lifetime)
    credentials(model, iid, psk, cert)
    return model, dev, stats


def credentials(model, iid, psk=None, cert=None):
    """Security instance iid's mode and keys: psk (identity, key) -> mode 0,
    cert (certificate, private key, server's trust anchor; DER) -> mode 2."""
    if psk is not None:  # Security mode 0 (PSK): identity /0/x/3, key /0/x/5
        model.set((0, iid, 2), 0)
        model.set((0, iid, 3), psk[0])
        model.set((0, iid, 5), psk[1])
    elif cert is not None:  # mode 2 (certificate): own /0/x/3, server's /0/x/4, private key /0/x/5
        model.set((0, iid, 2), 2)
        model.set((0, iid, 3), cert[0])
        model.set((0, iid, 5), cert[1])
        model.set((0, iid, 4), cert[2])


def _psk(text):
    import binascii

    ident, _, key = text.partition(":")
    return ident.encode(), binascii.unhexlify(key)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _option(argv, name, n=1):
    """(value or True or None, argv without the option)."""
    if name not in argv:
        return None, argv
    i = argv.index(name)
    return (argv[i + 1] if n else True), argv[:i] + argv[i + 1 + n:]


def _ints(text):
    return [int(x) for x in text.split(",")]


def accounts(argv):
    """(bootstrap: the URI is a bootstrap server, bootstrap server URI beside
    it or None, argv without these options); ValueError for both at once."""
    bootstrap, argv = _option(argv, "--bootstrap", 0)
    bs_uri, argv = _option(argv, "--bootstrap-uri")
    if bootstrap and bs_uri:
        raise ValueError("--bootstrap and --bootstrap-uri: one bootstrap server only")
    if bs_uri is not None:
        parse_uri(bs_uri)  # ValueError now rather than a silent bootstrap account nobody can reach
    return bool(bootstrap), bs_uri, argv


def timing(argv):
    """(client config, PeerLinks' dtls settings, argv without the timing options).
    A failed registration falls back to the bootstrap server (/1/x/16, true
    when absent) when there is a bootstrap account, unless --no-fallback."""
    server = {}
    text, argv = _option(argv, "--retry")
    if text is not None:
        for rid, v in zip((17, 18, 19, 20), _ints(text)):
            server[rid] = v
    off, argv = _option(argv, "--no-fallback", 0)
    if off:
        server[16] = False
    config = {"server_defaults": server}
    text, argv = _option(argv, "--ack-timeout")
    if text is not None:
        from lwm2m.coap.params import Params

        config["params"] = Params(ack_timeout=int(text))
    dtls = {}
    text, argv = _option(argv, "--dtls-timeout")
    if text is not None:
        v = _ints(text)
        dtls["handshake_timeout_ms"] = v[0] * 1000
        if len(v) > 1:
            dtls["handshake_attempts"] = v[1]
    return config, dtls, argv


def client_for(model, dev, stats, link, ep, queue=False, awake=None, out=print, config=None):
    """The client of the device build() made, on a datagram link, tracing
    every CoAP message to out, and in queue mode how long it may sleep now
    (lwm2m.client.queue's sleep_ms; None otherwise). config: more Client
    settings (what timing() parsed)."""
    config = dict(config or {})
    config["ep"] = ep
    if queue:
        config["queue"] = True
        if awake is not None:
            config["awake_ms"] = awake * 1000
    client = Client(model, stats.wrap(link), SystemClock(), config, trace=lambda text: out("# " + text))
    dev.schedule = client.defer

    def trace(direction, peer, data):
        if direction == "err":
            out("! error %s" % (data,))
        else:
            out((">" if direction == "tx" else "<") + " " + describe(data))

    client.endpoint.trace = trace
    if not queue:
        return client, None
    from lwm2m.client.queue import Queue

    return client, Queue(client, config).sleep_ms


def turn(client, nap, asleep, wait, out=print):
    """One turn of the main loop, waiting up to wait ms; returns whether the
    device is asleep (queue mode, radio off: what arrives is lost). nap: what
    client_for gave (None: never sleeps)."""
    ms = nap() if nap else 0
    if ms != 0:  # None: nothing scheduled at all
        if not asleep:
            out("# asleep" if ms is None else "# asleep for up to %d ms" % ms)
        while client.endpoint.link.recv(0) is not None:
            out("# asleep: a datagram is lost")
        sleep_ms(wait if ms is None else min(ms, wait))
        client.step()
        return True
    if asleep:
        out("# awake")
    client.poll(wait)
    return False


def run(client, nap, model, control=None, out=print):
    """The device's main loop until Ctrl-C or quit; then de-register."""
    clock = client.clock
    last = clock.time()
    wait = 50 if control else 1000  # ms: how soon a command is seen
    asleep = False
    try:
        while not (control and control.done):
            asleep = turn(client, nap, asleep, wait, out)
            if control:
                control.poll()
            now = clock.time()
            if now - last >= 60:
                last = now
                t = model.get((3303, 0, 5700))
                model.set((3303, 0, 5700), 21.0 if t > 24 else t + 0.5)
    except KeyboardInterrupt:
        pass
    out("# stopping: de-register")
    client.stop(3000)


def main(argv):
    config, dtls, argv = timing(argv)
    text, argv = _option(argv, "--psk")
    psk = None if text is None else _psk(text)
    text, argv = _option(argv, "--cert")
    cert = None if text is None else [_read(p) for p in text.split(",")]
    try:
        bootstrap, bs_uri, argv = accounts(argv)
    except ValueError as e:
        print(e.args[0])
        return 2
    queue, argv = _option(argv, "--queue", 0)
    awake, argv = _option(argv, "--awake")
    control, argv = _option(argv, "--control", 0)
    if len(argv) < 2:
        print("usage: main.py coap[s]://HOST:PORT ENDPOINT [LIFETIME] [--psk IDENTITY:HEXKEY]"
              " [--cert CERT.der,KEY.der,SERVER_CA.der] [--bootstrap | --bootstrap-uri URI] [--queue [--awake SECONDS]] [--control]"
              " [--retry COUNT,TIMER[,SEQ_DELAY,SEQ_RETRY]] [--no-fallback] [--dtls-timeout SECONDS[,ATTEMPTS]]"
              " [--ack-timeout MS]")
        return 2
    uri, ep = argv[0], argv[1]
    lifetime = int(argv[2]) if len(argv) > 2 else 300
    model, dev, stats = build(uri, lifetime, psk, cert, bootstrap, bs_uri=bs_uri)
    scheme, host, port = parse_uri(uri)
    if "coaps" in (scheme, bs_uri and parse_uri(bs_uri)[0]) and psk is None and cert is None:
        print("coaps needs --psk IDENTITY:HEXKEY or --cert CERT.der,KEY.der,SERVER_CA.der")
        return 2
    # A socket for plain CoAP and one per DTLS session: the client secures
    # each coaps server (Security mode 0) on its own (lwm2m.link.peers).
    local = "::" if ":" in host else "0.0.0.0"
    link = PeerLinks(lambda: UdpLink(local, 0), dtls=dtls)
    client, nap = client_for(model, dev, stats, link, ep, queue, None if awake is None else int(awake), config=config)
    if control:
        from lwm2m.control import Control

        control = Control(client, model)
        control.watch()
    client.start()
    print("# %s registering with %s (lifetime %d s); Ctrl-C to stop" % (ep, uri, lifetime))
    run(client, nap, model, control or None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
