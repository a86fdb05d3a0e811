"""Self-tests of the Leshan harness, against the Leshan library client (no client of ours needed).

They prove that fetching, starting, the REST client and the event stream work, so that a failing
case test later points at the client, not at the harness. Cheap (a few JVM starts): always run.
"""

import pytest

from host_sim import leshan
from leshan_support import psk_pair


@pytest.fixture
def stand_in(leshan_jars, endpoint):
    client = leshan.StandInClient(leshan_jars, endpoint)
    yield client
    client.stop()


def test_harness_register_read_write_execute_deregister(leshan_server, rest, events, stand_in):
    ep = stand_in.endpoint
    stand_in.start(leshan_server.coap_uri, lifetime=120)
    reg = events.wait("REGISTRATION", lambda r: r["endpoint"] == ep, timeout=20)
    assert reg["lifetime"] == 120 and reg["bindingMode"] == "U" and reg["secure"] is False
    assert {"url": "/3/0", "attributes": {}} in reg["objectLinks"]
    assert rest.client(ep)["registrationId"] == reg["registrationId"]
    assert ep in [c["endpoint"] for c in rest.clients()]

    for fmt in ("TEXT", "TLV", "SENML_JSON", "SENML_CBOR", "JSON"):
        got = rest.read(ep, "/3/0/0", fmt=fmt)
        assert got["status"] == "CONTENT(205)", fmt
        assert got["content"] == {"id": 0, "value": "Eclipse Leshan"}, fmt
    inst = rest.read(ep, (3, 0), fmt="TLV")["content"]
    assert {r["id"] for r in inst["resources"]} >= {0, 1, 2, 13, 14, 15}

    assert rest.write(ep, "/3/0/14", {"id": 14, "value": "+02:00"}, fmt="TLV")["success"]
    assert rest.read(ep, "/3/0/14")["content"]["value"] == "+02:00"
    assert rest.write_text(ep, "/3/0/15", "UTC")["success"]
    partial = {"id": 0, "resources": [{"id": 14, "value": "+03:00"}]}
    assert rest.write(ep, "/3/0", partial, replace=False, fmt="TLV")["success"]
    after = {r["id"]: r["value"] for r in rest.read(ep, "/3/0")["content"]["resources"]}
    assert after[14] == "+03:00" and after[15] == "UTC"  # partial update kept 15

    assert rest.execute(ep, "/3/0/4")["status"] == "CHANGED(204)"
    stand_in.wait_line("REBOOT")
    assert rest.read(ep, "/3/0/4")["status"] == "METHOD_NOT_ALLOWED(405)"
    assert rest.read(ep, "/42/0")["status"] == "NOT_FOUND(404)"
    links = [link["url"] for link in rest.discover(ep, "/3/0")["objectLinks"]]
    assert links[0] == "/3/0" and "/3/0/13" in links

    stand_in.command("update")
    assert events.wait("UPDATED", timeout=10)["registration"]["endpoint"] == ep
    stand_in.stop()
    assert events.wait("DEREGISTRATION", timeout=10)["endpoint"] == ep
    assert rest.client(ep) is None


def test_harness_observe_notify_cancel(leshan_server, rest, stand_in):
    ep = stand_in.endpoint
    stand_in.start(leshan_server.coap_uri)
    rest.wait_registered(ep)
    with leshan_server.events(ep) as stream:
        first = rest.observe(ep, "/3/0/13")
        assert first["status"] == "CONTENT(205)"
        notes = [stream.wait("NOTIFICATION", timeout=5) for _ in range(3)]
        assert all(n["ep"] == ep and n["res"] == "/3/0/13" for n in notes)
        assert notes[0]["val"]["value"] != notes[2]["val"]["value"]  # the time moved (2 s)
        # the CoAP log of the registered client comes on the same stream
        observe_get = stream.wait("COAPLOG", lambda m: not m["incoming"] and "Observe: 0" in m["options"])
        assert observe_get["code"] == "GET"
        rest.cancel_observe(ep, "/3/0/13")
        # a notification already in flight is answered with a Reset, then they stop
        rst = stream.wait("COAPLOG", lambda m: not m["incoming"] and m["type"] == "RST", timeout=5)
        assert rst["token"] == ""  # an empty message
        stream.collect("NOTIFICATION", 0)  # those that came before the cancel
        assert stream.collect("NOTIFICATION", 2.5) == []


def test_harness_bootstrap_over_psk_then_register_over_psk(leshan_server, leshan_bs, events, stand_in):
    ep = stand_in.endpoint
    dm_psk, bs_psk = psk_pair(ep), psk_pair(ep + "-bs")
    leshan_server.rest.add_psk(ep, *dm_psk)
    leshan_bs.rest.add_psk(ep, *bs_psk)
    since = len(leshan_bs.rest.events())
    leshan_bs.rest.set_config(ep, leshan.bootstrap_config(
        leshan_server.coaps_uri, psk=dm_psk, bs_uri=leshan_bs.coaps_uri, bs_psk=bs_psk, lifetime=90))
    try:
        stand_in.start(leshan_bs.coaps_uri, bootstrap=True, psk=bs_psk)
        stand_in.wait_line("BOOTSTRAPPED", timeout=20)
        steps = [(e["type"], e.get("detail", "")) for e in leshan_bs.rest.events(since) if e["ep"] == ep]
        assert steps[0][0] == "INITIATED" and "psk=" + bs_psk[0] in steps[0][1]
        assert ("SUCCESS", "BootstrapDeleteRequest /0 DELETED(202)") in steps
        assert ("SUCCESS", "BootstrapWriteRequest /1/0 CHANGED(204)") in steps
        assert steps[-1] == ("END", "")
        reg = events.wait("REGISTRATION", lambda r: r["endpoint"] == ep, timeout=20)
        assert reg["secure"] is True and reg["lifetime"] == 90
        # a LwM2M server never reads the Security object
        assert not leshan_server.rest.read(ep, "/0")["success"]
    finally:
        leshan_server.rest.remove_security(ep)
        leshan_bs.rest.delete_config(ep)
        leshan_bs.rest.remove_security(ep)


def test_harness_wrong_psk_is_refused(leshan_server, stand_in):
    ep = stand_in.endpoint
    identity, key = psk_pair(ep)
    leshan_server.rest.add_psk(ep, identity, key)
    try:
        stand_in.start(leshan_server.coaps_uri, psk=(identity, bytes(16)))
        stand_in.wait_line("STARTED")
        # the DTLS handshake fails (the client keeps retrying): never registered
        with pytest.raises(leshan.LeshanError):
            leshan_server.rest.wait_registered(ep, timeout=4)
    finally:
        leshan_server.rest.remove_security(ep)


def test_harness_errors_are_clear(leshan_server, leshan_bs):
    rest = leshan_server.rest
    with pytest.raises(leshan.LeshanError) as err:
        rest.read("nobody-here", "/3/0")
    assert "nobody-here" in str(err.value) and "HTTP 400" in str(err.value)
    with pytest.raises(leshan.Unsupported):
        rest.read_composite("nobody-here", ["/3/0/0"])
    with pytest.raises(leshan.LeshanError) as err:
        leshan_bs.rest.set_config("x", {"servers": {"0": {}}})
    assert "HTTP 400" in str(err.value)
