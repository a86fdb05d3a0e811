"""python -m host_sim.server [--host H] [--port N] [--awake S]: a LwM2M server
on the console (see docs/server.md)."""
import argparse
import asyncio
import sys

from . import DEFAULT_PORT, LwM2MServer
from .bootstrap import Bootstrap, script_for
from .cli import serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m host_sim.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="UDP port (default 5683; 0: any free)")
    parser.add_argument("--awake", type=float, default=93.0, help="queue mode: seconds a device listens after it spoke")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an answer")
    parser.add_argument("--psk", action="append", metavar="IDENTITY:HEXKEY",
                        help="also take DTLS 1.2 PSK with this identity and key (repeatable)")
    parser.add_argument("--dtls-port", type=int, default=5684, help="UDP port for DTLS (default 5684; 0: any free)")
    parser.add_argument("--tcp", action="store_true", help="also CoAP over TCP (RFC 8323) on the same port number")
    parser.add_argument("--bootstrap", action="store_true",
                        help="also be the bootstrap server (POST /bs): point every device at this server")
    parser.add_argument("--lifetime", type=int, default=300, help="lifetime --bootstrap gives devices (s)")
    args = parser.parse_args(argv)
    psk = None
    if args.psk:
        psk = {}
        for item in args.psk:
            identity, colon, key = item.rpartition(":")
            try:
                psk[identity] = bytes.fromhex(key)
            except ValueError:
                colon = ""
            if not colon or not identity:
                parser.error("--psk wants IDENTITY:HEXKEY, got %r" % item)

    async def run():
        server = LwM2MServer(args.host, args.port, awake_time=args.awake, timeout=args.timeout, psk=psk,
                             dtls_port=args.dtls_port, tcp=args.tcp)
        async with server:
            if args.bootstrap:
                uri = "coap://%s:%d" % (args.host, server.port)
                server.bootstrap = Bootstrap(default=script_for(uri, lifetime=args.lifetime))
            await serve(server)

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
