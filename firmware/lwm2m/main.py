# Run the LwM2M client against any server, printing every CoAP message:
#   micropython -m lwm2m.main coap://127.0.0.1:5683 my-device [lifetime]
#   micropython -m lwm2m.main coaps://host:5684 my-device [lifetime] --psk IDENTITY:HEXKEY
#   ... --cert CERT.der,KEY.der,SERVER_CA.der (certificates); --bootstrap: the URI is a bootstrap server
#   ... --queue: register in queue mode (Q)
# (`make run SERVER=coap://127.0.0.1:5683 EP=my-device` on the unix port;
# `python -m lwm2m.main ...` from firmware/ on CPython). Runs until stopped
# (Ctrl-C de-registers). The device: Device (3) with a reboot hook that only
# prints, Connectivity Statistics (7), and a Temperature (3303) whose value
# drifts every minute so observations have something to report.
import sys

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


def build(uri, lifetime, psk=None, cert=None, bootstrap=False):
    """psk: (identity, key) -> Security mode 0; cert: (certificate, private
    key, server's trust anchor), DER -> mode 2; bootstrap: uri is a bootstrap
    server (the factory bootstrap account) rather than a LwM2M server."""
    model = Model()
    dev = Device({"manufacturer": "lwm2m-micropython", "model": "unix", "serial": "0001",
                  "firmware": "0.1"}, reboot=lambda: print("# reboot requested (ignored here)"))
    dev.install(model)
    stats = ConnectivityStatistics().install(model)
    model.add(3303, 0, {5700: 21.0, 5701: "Cel"})
    model.add(2)  # Access Control: a bootstrap server may write instances
    if bootstrap:
        iid = 0
        model.add(0, iid, {0: uri, 1: True, 2: 3, 11: 0})
    else:
        iid = provision(model, uri, ssid=1, lifetime=lifetime)
    if psk is not None:  # Security mode 0 (PSK): identity /0/x/3, key /0/x/5
        model.set((0, iid, 2), 0)
        model.set((0, iid, 3), psk[0])
        model.set((0, iid, 5), psk[1])
    elif cert is not None:  # mode 2 (certificate): own /0/x/3, server's /0/x/4, private key /0/x/5
        model.set((0, iid, 2), 2)
        model.set((0, iid, 3), cert[0])
        model.set((0, iid, 5), cert[1])
        model.set((0, iid, 4), cert[2])
    return model, dev, stats


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


def main(argv):
    text, argv = _option(argv, "--psk")
    psk = None if text is None else _psk(text)
    text, argv = _option(argv, "--cert")
    cert = None if text is None else [_read(p) for p in text.split(",")]
    bootstrap, argv = _option(argv, "--bootstrap", 0)
    queue, argv = _option(argv, "--queue", 0)
    if len(argv) < 2:
        print("usage: main.py coap[s]://HOST:PORT ENDPOINT [LIFETIME] [--psk IDENTITY:HEXKEY]"
              " [--cert CERT.der,KEY.der,SERVER_CA.der] [--bootstrap] [--queue]")
        return 2
    uri, ep = argv[0], argv[1]
    lifetime = int(argv[2]) if len(argv) > 2 else 300
    model, dev, stats = build(uri, lifetime, psk, cert, bootstrap)
    scheme, host, port = parse_uri(uri)
    if scheme == "coaps" and psk is None and cert is None:
        print("coaps needs --psk IDENTITY:HEXKEY or --cert CERT.der,KEY.der,SERVER_CA.der")
        return 2
    # A socket for plain CoAP and one per DTLS session: the client secures
    # each coaps server (Security mode 0) on its own (lwm2m.link.peers).
    local = "::" if ":" in host else "0.0.0.0"
    link = PeerLinks(lambda: UdpLink(local, 0))
    link = stats.wrap(link)
    clock = SystemClock()
    config = {"ep": ep}
    if queue:
        config["queue"] = True
    client = Client(model, link, clock, config, trace=lambda text: print("#", text))
    dev.schedule = client.defer

    def trace(direction, peer, data):
        if direction == "err":
            print("! error", data)
        else:
            print(">" if direction == "tx" else "<", describe(data))

    client.endpoint.trace = trace
    client.start()
    print("# %s registering with %s (lifetime %d s); Ctrl-C to stop" % (ep, uri, lifetime))
    last = clock.time()
    try:
        while True:
            client.poll(1000)
            now = clock.time()
            if now - last >= 60:
                last = now
                t = model.get((3303, 0, 5700))
                model.set((3303, 0, 5700), 21.0 if t > 24 else t + 0.5)
    except KeyboardInterrupt:
        print("# stopping: de-register")
        client.stop(3000)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
