"""The app layer builds a device from a board configuration."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "firmware"))

from lwm2m import app  # noqa: E402
from lwm2m.port import unix as port  # noqa: E402


def config(**extra):
    cfg = {"board": "unix", "port": "unix", "endpoint": "app-test", "server": "coap://127.0.0.1:5683",
           "lifetime": 300, "modem": {"type": "udp"}, "formats": [0, 112]}
    cfg.update(extra)
    return cfg


def test_board_config_gives_the_standard_objects_and_the_server_account():
    client, model = app.build(config(queue_mode=True), port)
    assert model.instances(3) == [0] and model.instances(7) == [0]
    assert model.get((0, 0, 0)) == "coap://127.0.0.1:5683" and model.get((1, 0, 1)) == 300
    assert model.get((1, 0, 7)) == "UQ"  # queue mode announced with Q
    assert client.config["ep"] == "app-test"
    client.endpoint.link.close()


def test_board_with_fota_mounts_object_5(tmp_path):
    client, model = app.build(config(fota={"dir": str(tmp_path), "version": "1.2.3"}), port)
    assert model.instances(5) == [0]
    assert model.get((3, 0, 3)) == "1.2.3"
    client.endpoint.link.close()


def test_lorawan_server_uri_names_the_fport():
    assert app.server_address("lorawan://5") == ("lorawan", 5)
    assert app.server_address("coaps://[::1]:5684") == ("::1", 5684)


def test_board_with_a_coaps_server_provisions_psk_mode():
    key = "00112233445566778899aabbccddeeff"
    client, model = app.build(config(server="coaps://127.0.0.1:5684", psk_identity="board-1", psk_key=key), port)
    assert model.get((0, 0, 2)) == 0 and model.get((0, 0, 3)) == b"board-1"
    assert model.get((0, 0, 5)) == bytes.fromhex(key)
    assert key not in repr(client.endpoint.link)
    client.endpoint.link.close()


def test_board_with_a_coaps_server_and_no_key_is_refused():
    try:
        app.build(config(server="coaps://127.0.0.1:5684"), port)
        raise AssertionError("built without a key")
    except ValueError as e:
        assert "psk_key" in str(e)


def test_lorawan_board_builds_the_rak3172_driver_with_compact_registration():
    import json

    from host_sim.clock import VirtualClock
    from host_sim.device import SimBoard
    from host_sim.lorawan import NetworkServer
    from host_sim.modems.lora import Rak3172Sim

    with open(os.path.join(ROOT, "boards", "esp32_rak3172", "board.json")) as f:
        cfg = json.load(f)
    clock = VirtualClock()
    sim = Rak3172Sim(clock, NetworkServer())
    client, model = app.build(cfg, SimBoard(sim), clock)
    assert client.endpoint.link.mtu == 51 and client.config["compact"]
    client.start()
    client.step()  # joins (band 4 from board.json), then the first Register block
    assert "AT+BAND=4" in sim.log
    data, peer, _ = sim.sent[0]
    # EU868 DR0: the board's Register fits 51 B frames (short name, defaults left out, 16 B blocks)
    assert peer == ("lorawan", 5) and len(data) <= 51 and b"ep=l1" in data and b"lt=" not in data
