# The device as a board configuration (boards/<name>/board.json) describes it:
# the standard objects, the LwM2M server, and the link to it (a UDP socket, a
# cellular modem or a LoRaWAN modem on a UART). The board's port module
# (lwm2m.port.unix / esp32 / nrf) brings the hardware: UARTs, PWRKEY, reset.
#
#   app.run(cfg, port, setup=add_my_objects)   # the whole firmware main loop
from lwm2m.clock import SystemClock
from lwm2m.model import Model
from lwm2m.client.client import Client
from lwm2m.client.servers import provision, parse_uri
from lwm2m.objects.std_device import Device
from lwm2m.objects.std_connstats import ConnectivityStatistics

VERSION = "0.1.0"


def server_address(uri):
    """(host, port) of a coap(s)/coap+tcp URI, or ("lorawan", FPort) of lorawan://<FPort>."""
    scheme, _, rest = uri.partition("://")
    if scheme == "lorawan":
        return "lorawan", int(rest.split("/")[0])
    _, host, port = parse_uri(uri)
    return host, port


def make_link(cfg, port, clock):
    """The datagram link the board's modem section asks for."""
    m = cfg["modem"]
    kind = m["type"]
    host, sport = server_address(cfg["server"])
    if kind == "udp":
        from lwm2m.link.udp import UdpLink  # chosen by board.json
        from lwm2m.link.peers import PeerLinks  # chosen by board.json

        # plain CoAP on one socket, a socket per DTLS session (the client
        # secures each coaps server it finds in the Security object)
        local = "::" if ":" in host else "0.0.0.0"
        return PeerLinks(lambda: UdpLink(local, 0), dtls=cfg.get("dtls"))
    link = _modem_link(cfg, m, kind, port, clock, host, sport)
    if cfg["server"].startswith("coaps"):
        # a modem socket has one peer: the DTLS session runs over it directly
        from lwm2m.link.dtls import DtlsLink  # chosen by board.json

        ident, key = psk(cfg)
        # its timeouts and idle time on the firmware clock (a simulated device's is virtual)
        link = DtlsLink(link, link.peer, ident, key, clock=clock, **(cfg.get("dtls") or {}))
    return link


def psk(cfg):
    """(identity bytes, key bytes) from board.json's psk_identity / psk_key (hex)."""
    import binascii

    if not cfg.get("psk_identity") or not cfg.get("psk_key"):
        raise ValueError("board.json: a coaps server needs psk_identity and psk_key (hex)")
    return cfg["psk_identity"].encode(), binascii.unhexlify(cfg["psk_key"])


def _modem_link(cfg, m, kind, port, clock, host, sport):
    uart = port.uart(m)
    wake = port.pwrkey(m)
    apn = m.get("apn", "")
    if kind in ("bg96", "bg95"):
        from lwm2m.modem.bg96 import Bg96  # chosen by board.json

        psm = tuple(m["psm"]) if m.get("psm") else None
        return Bg96(uart, clock, host, sport, apn=apn, rat=m.get("rat", "nb"), push=m.get("push", True),
                    rai=m.get("rai", False), psm=psm, wake=wake)
    if kind == "sim7080":
        from lwm2m.modem.sim7080 import Sim7080  # chosen by board.json

        return Sim7080(uart, clock, host, sport, apn=apn, rat=m.get("rat", "nb"), wake=wake)
    if kind == "sara_r4":
        from lwm2m.modem.sara_r4 import SaraR4  # chosen by board.json

        return SaraR4(uart, clock, host, sport, apn=apn, wake=wake)
    if kind in ("rak3172", "rn2483"):
        from lwm2m.modem.lorawan import Rak3172, Rn2483  # chosen by board.json

        keys = (m["dev_eui"], m["app_eui"], m["app_key"]) if "app_key" in m else None
        if kind == "rak3172":
            return Rak3172(uart, clock, sport, dr=m.get("dr", 0), confirmed=m.get("confirmed", False), keys=keys,
                           band=m.get("band", 4))
        return Rn2483(uart, clock, sport, dr=m.get("dr", 0), confirmed=m.get("confirmed", False), keys=keys)
    raise ValueError("board.json: unknown modem type %r" % kind)


def build(cfg, port, clock=None, setup=None, trace=None, release=False):
    """(client, model) for a board configuration; setup(model) adds the application's objects."""
    clock = clock or SystemClock()
    model = Model()
    dev = Device({"manufacturer": "lwm2m-micropython", "model": cfg.get("board", "?"),
                  "serial": port.unique_id(), "firmware": VERSION},
                 reboot=port.reboot, factory_reset=getattr(port, "factory_reset", None))
    dev.install(model)
    stats = ConnectivityStatistics().install(model)
    if setup:
        setup(model)
    binding = cfg.get("binding", "U") + ("Q" if cfg.get("queue_mode") else "")
    iid = provision(model, cfg["server"], ssid=1, lifetime=cfg.get("lifetime", 86400), binding=binding)
    if cfg["server"].startswith("coaps"):  # Security mode 0 (PSK): identity /0/x/3, key /0/x/5
        ident, key = psk(cfg)
        model.set((0, iid, 2), 0)
        model.set((0, iid, 3), ident)
        model.set((0, iid, 5), key)
    link = make_link(cfg, port, clock)
    if release:  # the caller's loop flushes it (lwm2m.client.queue.Queue.after_io)
        from lwm2m.link.release import ReleaseLink  # chosen by board.json

        # modem drivers take send(..., last=True): release assistance after the last datagram
        link = release = ReleaseLink(link, takes_last=cfg["modem"]["type"] != "udp")
    else:
        release = None
    peer = getattr(link, "peer", None)
    config = {"ep": cfg.get("endpoint") or "%s-%s" % (cfg.get("board", "dev"), port.unique_id())}
    if peer is not None:  # a modem link has one fixed peer: no socket address to resolve
        config["resolve"] = lambda uri: peer
    if getattr(link, "mtu", 1152) < 128:  # LoRaWAN: every Block1 frame repeats the Register query
        config["compact"] = True
    if cfg.get("heartbeat"):  # seconds of silence before a CoAP ping (LoRaWAN Class A: a receive window)
        config["heartbeat"] = cfg["heartbeat"]
    client = Client(model, stats.wrap(link), clock, config, trace=trace)
    dev.schedule = client.defer
    client.release_link = release
    fota = cfg.get("fota")
    if fota is not None:  # firmware update (object 5), opt-in per board
        from lwm2m.fota.mount import mount  # chosen by board.json
        from lwm2m.fota.store import FileStore  # chosen by board.json

        mount(client, FileStore(fota.get("dir", "fw")), {
            "board": cfg.get("board", "?"), "version": fota.get("version", VERSION),
            "reboot": port.reboot, "deadline": fota.get("deadline", 300)})
    return client, model


def run(cfg, port, setup=None, every_minute=None, trace=None):
    """Register and serve until the board resets. Never returns."""
    clock = SystemClock()
    client, model = build(cfg, port, clock, setup, trace, release=bool(cfg.get("queue_mode")))
    if cfg.get("queue_mode"):
        # queue mode: sleep between wakes, resume from the store after a deep sleep
        from lwm2m.client.queue import Queue  # chosen by board.json
        from lwm2m.client import persist
        from lwm2m.store import Store

        q = Queue(client, cfg.get("queue"), client.release_link)
        store = Store(cfg.get("state", "lwm2m.state"))
        if every_minute:
            q.every("minute", 60, lambda now: every_minute(model), slack=60)
        persist.restore(client, store.load(), q)
        q.run(port, store, lambda: persist.snapshot(client, q))
    client.start()
    last = clock.time()
    while True:
        client.poll(1000)
        now = clock.time()
        if every_minute and now - last >= 60:
            last = now
            every_minute(model)
