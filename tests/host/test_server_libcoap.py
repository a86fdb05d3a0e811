"""libcoap's coap-client (OpenSSL DTLS) registers with the server, in plain
CoAP and over the DTLS PSK front: another implementation than ours and aiocoap."""
import asyncio
import shutil

import pytest
from fake_device import TIMEOUT, run

from host_sim.server import LwM2MServer

CLIENT = shutil.which("coap-client-openssl")
pytestmark = pytest.mark.skipif(CLIENT is None, reason="libcoap's coap-client-openssl is not installed")


async def coap_client(*args):
    proc = await asyncio.create_subprocess_exec(CLIENT, "-B", "5", *args, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return proc.returncode, out


def test_libcoap_registers_in_plain_coap_and_over_dtls_psk():
    pytest.importorskip("mbedtls")

    async def go():
        async with LwM2MServer(port=0, psk={"lc-id": b"secretPSK"}, dtls_port=0) as server:
            code, out = await coap_client("-m", "post", "-t", "40", "-e", "</3/0>,</1/0>",
                                          "coap://127.0.0.1:%d/rd?ep=lc1&lt=60&lwm2m=1.1" % server.port)
            assert code == 0, out
            reg = (await server.events.next("registered", "lc1", TIMEOUT)).registration
            assert reg.identity is None and sorted(reg.objects) == [1, 3]
            code, out = await coap_client("-m", "post", "-t", "40", "-e", "</3/0>", "-u", "lc-id", "-k", "secretPSK",
                                          "coaps://127.0.0.1:%d/rd?ep=lc2&lt=60" % server.dtls_port)
            assert code == 0, out
            reg = (await server.events.next("registered", "lc2", TIMEOUT)).registration
            assert reg.identity == "lc-id" and reg.version == "1.0"

    run(go(), 30)
