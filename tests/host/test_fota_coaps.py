"""Pull over coaps:// (DTLS 1.2 PSK, lwm2m.fota.coaps) from libcoap's
coap-server-openssl, which holds the package as a dynamic resource PUT there
by coap-client-openssl; Block2 through the device's own DTLS endpoint.
Skips without libcoap."""
import os
import shutil
import subprocess
import time

import pytest

from lwm2m.clock import SystemClock
from lwm2m.coap.endpoint import Endpoint
from lwm2m.link.udp import UdpLink
from lwm2m.model import Model
from lwm2m.fota import coaps
from lwm2m.fota.build import build
from lwm2m.fota.store import FileStore
from lwm2m.fota.update import FirmwareUpdate

from coap_util import free_port

SERVER = shutil.which("coap-server-openssl")
CLIENT = shutil.which("coap-client-openssl")
KEY = b"fota-secret-key"


@pytest.mark.skipif(not (SERVER and CLIENT), reason="libcoap (coap-server-openssl, coap-client-openssl) not installed")
def test_pull_over_coaps_psk_from_libcoap(tmp_path):
    pkg = build([("lwm2m/a.mpy", os.urandom(20000)), ("lwm2m/b.mpy", os.urandom(5000))], "unix", "fw", "3.1")
    (tmp_path / "pkg").write_bytes(pkg)
    port = free_port()
    srv = subprocess.Popen([SERVER, "-A", "127.0.0.1", "-p", str(port), "-d", "4", "-k", KEY.decode(), "-v", "0"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        subprocess.run([CLIENT, "-m", "put", "-f", str(tmp_path / "pkg"), "coap://127.0.0.1:%d/fw" % port],
                       check=True, timeout=20, capture_output=True)
        flash = tmp_path / "flash"
        flash.mkdir()
        clock = SystemClock()
        main = Endpoint(UdpLink("127.0.0.1", 0), clock)  # the client's; coaps does not use it
        fu = FirmwareUpdate(FileStore(str(flash)), clock, {
            "board": "unix", "schemes": ("coap", "coaps"), "connect": coaps.psk(b"fota-dev", KEY, clock)})
        model = Model()
        fu.install(model, main)
        assert model.read((5, 0, 8)) == [((5, 0, 8, 0), 1, 0), ((5, 0, 8, 1), 1, 1)]
        model.write((5, 0, 1), [((5, 0, 1), "coaps://127.0.0.1:%d/fw" % (port + 1))])
        t0 = time.monotonic()
        while fu.state == 1 and time.monotonic() - t0 < 30:
            fu.step()
            time.sleep(0.001)
        fu.step()
        assert (fu.state, fu.result, fu.version_new) == (2, 0, "3.1")
        assert fu._aux is None  # the DTLS session was closed after the download
        assert (flash / "a" / "lwm2m" / "b.mpy").stat().st_size == 5000
    finally:
        srv.kill()
        srv.wait()
