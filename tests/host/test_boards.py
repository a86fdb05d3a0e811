"""Board definitions and their tooling: manifests and package.json match the
firmware, every manifest names files that exist, flash commands per chip."""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import boards  # noqa: E402
import flash  # noqa: E402


def test_committed_manifests_match_the_board_definitions():
    assert boards.main(["--check"]) == 0, "run make manifests"


def test_package_json_lists_every_firmware_module():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_package.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    pkg = json.load(open(os.path.join(ROOT, "package.json")))
    assert ["lwm2m/client/client.py", "firmware/lwm2m/client/client.py"] in pkg["urls"]


@pytest.mark.parametrize("name", boards.names())
def test_manifest_evaluates_and_names_existing_files(name):
    seen = {}

    def package(pkg, files=None, base_path=".", opt=None):
        seen["pkg"], seen["files"], seen["base"] = pkg, files, base_path

    env = {"include": lambda *a, **k: None, "metadata": lambda **k: None, "package": package,
           "module": lambda *a, **k: None, "require": lambda *a, **k: None}
    exec(open(os.path.join(ROOT, "boards", name, "manifest.py")).read(), env)
    base = os.path.normpath(os.path.join(ROOT, "boards", name, seen["base"], seen["pkg"]))
    assert base == os.path.join(ROOT, "firmware", "lwm2m")
    for f in seen["files"]:
        assert os.path.isfile(os.path.join(base, f)), f
    assert "app.py" in seen["files"] and "client/client.py" in seen["files"]


def test_each_board_carries_only_its_own_modem_driver():
    files = {n: boards.modules(boards.load(n)) for n in boards.names()}
    assert "lwm2m/modem/lorawan.py" in files["esp32_rak3172"]
    assert "lwm2m/modem/bg96.py" not in files["esp32_rak3172"]
    assert "lwm2m/modem/lorawan.py" not in files["esp32_bg96"]
    assert "lwm2m/link/dtls.py" not in files["nrf52840_bg95"]  # the nRF port has no tls


def test_flash_commands_per_chip():
    esp = flash.command(boards.load("esp32_bg96"), "/dev/ttyUSB0", "fw.bin", "esptool")
    assert esp == ["esptool", "--chip", "esp32", "--port", "/dev/ttyUSB0", "--baud", "460800",
                   "write-flash", "-z", "0x1000", "fw.bin"]
    nrf = flash.command(boards.load("nrf52840_bg95"), "-", "fw.hex")
    assert nrf[:3] == ["nrfjprog", "--family", "NRF52"]


def test_board_file_without_a_server_is_named_in_the_error(tmp_path):
    bad = tmp_path / "board.json"
    bad.write_text(json.dumps({"board": "x", "port": "unix", "modem": {"type": "udp"}, "formats": []}))
    with pytest.raises(SystemExit) as e:
        boards.load("x", str(bad))
    assert "board.json: missing 'server'" in str(e.value)


def test_unknown_modem_type_is_named_in_the_error(tmp_path):
    bad = tmp_path / "board.json"
    bad.write_text(json.dumps({"board": "x", "port": "unix", "server": "coap://h", "modem": {"type": "x"},
                               "formats": []}))
    with pytest.raises(SystemExit) as e:
        boards.load("x", str(bad))
    assert "unknown modem type 'x'" in str(e.value)
