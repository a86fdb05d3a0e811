"""Embedded LwM2M server on loopback: how long a Register, a Read and a
notification take end to end (aiocoap on both sides, real UDP).

Writes bench/results/server.md. Wall-clock figures; they vary by machine and
show the server is not the slow part of a test."""
import asyncio
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (ROOT, os.path.join(ROOT, "firmware"), os.path.join(ROOT, "tests", "host")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from aiocoap.numbers.codes import Code  # noqa: E402
from fake_device import FakeDevice  # noqa: E402

from host_sim.server import LwM2MServer  # noqa: E402

N = 200


async def measure():
    rows = []
    async with LwM2MServer(port=0) as server:
        async with FakeDevice("bench", server.port) as dev:
            res = dev.path(3303, 0, 5700)
            res.set(Code.CONTENT, 0, b"21.5")
            t0 = time.perf_counter()
            for _ in range(N):
                await dev.register()
                await server.events.next("registered", "bench", 5)
            rows.append(("Register -> 2.01 (and the event)", (time.perf_counter() - t0) / N))
            t0 = time.perf_counter()
            for _ in range(N):
                await server.read("bench", "/3303/0/5700", "text", 5)
            rows.append(("Read -> 2.05, decoded (text)", (time.perf_counter() - t0) / N))
            obs = await server.observe("bench", "/3303/0/5700", timeout=5)
            t0 = time.perf_counter()
            for i in range(N):
                res.notify(0, b"%d" % i)
                await obs.next(5)
            rows.append(("Notification -> Observation.next()", (time.perf_counter() - t0) / N))
    rows += await measure_dtls()
    return rows


async def measure_dtls():
    """Our firmware CoAP engine behind DtlsLink, through the server's PSK front."""
    try:
        from test_server_dtls import KEY, dtls_link
        from test_server_firmware_coap import EngineDevice
    except Exception:  # no python-mbedtls: no DTLS rows
        return []
    rows = []
    async with LwM2MServer(port=0, psk={"engine-id": KEY}, dtls_port=0) as server:
        link = dtls_link(server.dtls_port)
        t0 = time.perf_counter()
        await asyncio.get_running_loop().run_in_executor(None, link.connect)
        rows.append(("DTLS 1.2 PSK handshake (%s), firmware DtlsLink" % link.cipher, time.perf_counter() - t0))
        with EngineDevice(server.dtls_port, link) as dev:
            await dev.register()
            await server.events.next("registered", "engine", 5)
            t0 = time.perf_counter()
            for _ in range(N):
                await server.read("engine", "/3303/0/5700", "text", 5)
            rows.append(("Read over DTLS -> 2.05, firmware CoAP engine", (time.perf_counter() - t0) / N))
    return rows


def main():
    rows = asyncio.run(asyncio.wait_for(measure(), 120))
    lines = ["# Embedded LwM2M server", "",
             "Mean wall time per exchange on loopback, %d in a row (CPython, this machine); the device is" % N,
             "aiocoap unless the row says otherwise; the handshake is one.",
             "", "| exchange | mean |", "| --- | ---: |"]
    lines += ["| %s | %.2f ms |" % (name, secs * 1000) for name, secs in rows]
    text = "\n".join(lines) + "\n"
    with open(os.path.join(HERE, "results", "server.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
