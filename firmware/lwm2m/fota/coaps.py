# Pull over coaps://: each download gets its own DTLS 1.2 PSK session
# (lwm2m.link.dtls) on a new UDP socket and its own CoAP endpoint, which
# FirmwareUpdate.step() polls and closes when the download ends. The
# handshake runs inside the first send (it blocks for up to the link's
# handshake timeout).
#
#   fu = mount(client, store, {"board": ..., "schemes": ("coap", "coaps"),
#                              "connect": coaps.psk(b"dev-1", KEY, clock)})
from lwm2m.compat import sockaddr


def psk(identity, key, clock, **dtls):
    """A `connect` for FirmwareUpdate: coaps URIs through a DTLS PSK session;
    None for other schemes (plain coap goes through the client's endpoint)."""

    def connect(scheme, host, port):
        if scheme != "coaps":
            return None
        from lwm2m.link.udp import UdpLink
        from lwm2m.link.dtls import DtlsLink
        from lwm2m.coap.endpoint import Endpoint

        peer = sockaddr(host, port)
        udp = UdpLink("::" if ":" in host else "0.0.0.0", 0)
        return Endpoint(DtlsLink(udp, peer, identity, key, **dtls), clock), peer

    return connect
