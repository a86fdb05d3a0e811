"""python -m host_sim.server [--host H] [--port N] [--awake S]: a LwM2M server
on the console (see docs/server.md)."""
import argparse
import asyncio
import sys

from . import DEFAULT_PORT, LwM2MServer
from .cli import serve


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m host_sim.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="UDP port (default 5683; 0: any free)")
    parser.add_argument("--awake", type=float, default=93.0, help="queue mode: seconds a device listens after it spoke")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for an answer")
    args = parser.parse_args(argv)

    async def run():
        async with LwM2MServer(args.host, args.port, awake_time=args.awake, timeout=args.timeout) as server:
            await serve(server)

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
