"""OMA-ETS security cases with the client in-process on CPython: int-401 (UDP
channel security, PSK), int-1 (client-initiated bootstrap over coaps, then
registration over coaps), int-2 (certificates: skipped, see docs/security.md),
wrong key and wrong identity at the LwM2M level, a lost session, and the key
never showing in any trace, log or output."""
import asyncio
import logging

import pytest

pytest.importorskip("mbedtls")

from client_harness import TIMEOUT, run  # noqa: E402
from secure_harness import IDENTITY, KEY, key_forms, provision_psk, secured_client  # noqa: E402

from host_sim.server.bootstrap import Bootstrap, script_for  # noqa: E402
from lwm2m.client import registration as R  # noqa: E402


async def until(cond, timeout=TIMEOUT):
    for _ in range(int(timeout / 0.01)):
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in %s s" % timeout)


def assert_no_key(*texts):
    for text in texts:
        for form in key_forms():
            assert form not in text, "the key shows in: %s" % text[:200]


def test_int_401_register_read_observe_over_dtls_psk(capsys, caplog):
    caplog.set_level(logging.DEBUG)

    async def go():
        async with secured_client("int401") as (server, driven, model, links):
            provision_psk(model, "coaps://127.0.0.1:%d" % server.dtls_port)
            driven.client.defer(driven.client.start)
            reg = (await server.events.next("registered", "int401", TIMEOUT)).registration
            assert reg.identity == IDENTITY
            await until(lambda: driven.client.connections[0].reg.registered())
            peer = driven.client.connections[0].peer
            assert links.session(peer).handshakes == 1 and links.session(peer).cipher
            r = await server.read("int401", "/3303/0/5700", "text", TIMEOUT)
            assert r.code == 0x45 and r.payload == b"21.5"
            r = await server.read("int401", "/0/0/5", timeout=TIMEOUT)
            assert r.code == 0x81  # the key is never readable by a server (int-221)
            obs = await server.observe("int401", "/3303/0/5700", accept="text", timeout=TIMEOUT)
            assert obs.active
            model.set((3303, 0, 5700), 23.5)
            assert (await obs.next(TIMEOUT)).payload == b"23.5"
            # every datagram went through the session: the server saw the DTLS relay only
            assert reg.identity == IDENTITY and links.handshakes == 1
            driven.client.defer(driven.client.deregister)
            await server.events.next("deregistered", "int401", TIMEOUT)
            return driven.trace

    trace = run(go())
    out = capsys.readouterr()
    assert any("register rd" in line for line in trace)
    assert_no_key("\n".join(trace), out.out, out.err, caplog.text)


def test_int_401_nosec_and_psk_servers_on_one_client():
    """coap:// over the plain socket and coaps:// in a session, one Client."""
    async def go():
        async with secured_client("both") as (server, driven, model, links):
            provision_psk(model, "coaps://127.0.0.1:%d" % server.dtls_port)
            model.add(0, 1, {0: "coap://127.0.0.1:%d" % server.port, 1: False, 2: 3, 10: 2})
            model.add(1, 1, {0: 2, 1: 300, 6: False, 7: "U"})
            driven.client.defer(driven.client.start)
            regs = [(await server.events.next("registered", "both", TIMEOUT)).registration for _ in range(2)]
            # the same endpoint name twice: the second Register replaces the first one's entry
            assert sorted(str(r.identity) for r in regs) == sorted([IDENTITY, "None"])
            await until(lambda: all(c.reg.registered() for c in driven.client.connections))
            assert links.handshakes == 1 and len([1 for c in driven.client.connections
                                                  if links.session(c.peer) is not None]) == 1

    run(go())


def test_psk_session_lost_by_the_server_update_goes_through_after_a_new_handshake():
    async def go():
        async with secured_client("lost") as (server, driven, model, links):
            provision_psk(model, "coaps://127.0.0.1:%d" % server.dtls_port)
            driven.client.defer(driven.client.start)
            await server.events.next("registered", "lost", TIMEOUT)
            c = driven.client.connections[0]
            await until(lambda: c.reg.registered())
            for peer in list(server.dtls.link.sessions):
                server.dtls.link.drop(peer)  # a server restart (or a NAT change: we are a stranger)
            driven.client.defer(c.reg.trigger_update)
            await server.events.next("updated", "lost", 3 * TIMEOUT)
            assert links.session(c.peer).handshakes == 2 and c.reg.registered()
            server.dtls.link.alert(list(server.dtls.link.sessions)[0])  # close_notify
            await until(lambda: links.session(c.peer).lost == 1)
            driven.client.defer(c.reg.trigger_update)
            await server.events.next("updated", "lost", TIMEOUT)
            assert links.session(c.peer).handshakes == 3

    run(go(), timeout=60)


def _failing(ep, psk, identity=IDENTITY):
    async def go():
        async with secured_client(ep, psk=psk) as (server, driven, model, links):
            provision_psk(model, "coaps://127.0.0.1:%d" % server.dtls_port, identity=identity,
                          s17=2, s18=1, s19=3600, s20=1)  # 2 tries 1 s apart, then wait an hour
            driven.client.defer(driven.client.start)

            def attempts():
                return len([1 for t in driven.trace if t.startswith("register")])

            await until(lambda: len([1 for t in driven.trace if t == "rd: timeout"]) == 2, 20)
            await asyncio.sleep(2.5)  # past the 1 s retry timer: no third attempt (sequence delay 1 h)
            assert attempts() == 2
            c = driven.client.connections[0]
            assert not c.reg.registered() and server.registrations() == []
            assert links.session(c.peer).handshakes == 0
            return driven.trace

    return run(go(), timeout=60)


def test_wrong_key_reports_backs_off_never_shows_the_key(capsys):
    trace = _failing("wrongkey", {IDENTITY: b"\x01" * 16})
    text = "\n".join(trace)
    assert "DTLS with" in text  # the failure is reported
    assert len([t for t in trace if t.startswith("register")]) == 2  # retry_count, then the sequence delay
    assert_no_key(text, capsys.readouterr().out)


def test_wrong_identity_reports_backs_off_never_shows_the_key(capsys):
    trace = _failing("wrongid", {"someone-else": KEY}, identity="nobody")
    text = "\n".join(trace)
    assert "DTLS with" in text and "refused" in text  # an alert: refused at once
    assert len([t for t in trace if t.startswith("register")]) == 2
    assert_no_key(text, capsys.readouterr().out)


def test_int_1_client_initiated_bootstrap_over_coaps_then_register_over_coaps(capsys):
    async def go():
        bs = Bootstrap({})
        async with secured_client("int1", bootstrap=bs, pct=110) as (server, driven, model, links):
            uri = "coaps://127.0.0.1:%d" % server.dtls_port
            # the factory bootstrap account: PSK to the bootstrap server
            model.add(0, 0, {0: uri, 1: True, 2: 0, 3: IDENTITY.encode(), 5: KEY, 11: 0, 12: 30})
            # the bootstrap server gives a LwM2M account over coaps with the same credentials
            bs.scripts["int1"] = script_for(uri, ssid=101, lifetime=300, identity=IDENTITY, key=KEY)
            driven.client.defer(driven.client.start)
            ev = await server.events.next("bootstrap-finished", "int1", TIMEOUT)
            assert ev.ok, ev.results
            reg = (await server.events.next("registered", "int1", TIMEOUT)).registration
            assert reg.identity == IDENTITY
            c = driven.client.connections[0]
            await until(lambda: c.reg.registered())
            assert model.get((0, model.instances(0)[0], 2)) in (0,)
            # two sessions: the bootstrap account's (ended at Finish), then the server's
            assert links.session(c.peer).handshakes == 1
            return driven.trace

    trace = run(go())
    assert "bootstrap finished" in trace
    assert_no_key("\n".join(trace), capsys.readouterr().out)


def test_int_401_board_json_with_coaps_and_psk_registers():
    """app.build from a board configuration: "server": "coaps://...",
    "psk_identity", "psk_key" (hex) -> Security mode 0 and a DTLS session."""
    from lwm2m import app
    from lwm2m.port import unix as port
    from secure_harness import Driven

    from host_sim.server import LwM2MServer

    async def go():
        async with LwM2MServer(port=0, psk={IDENTITY: KEY}, dtls_port=0) as server:
            cfg = {"board": "unix", "endpoint": "board-psk", "server": "coaps://127.0.0.1:%d" % server.dtls_port,
                   "psk_identity": IDENTITY, "psk_key": KEY.hex(), "lifetime": 300, "modem": {"type": "udp"}}
            trace = []
            client, model = app.build(cfg, port, trace=trace.append)
            client.log = trace
            driven = Driven(client).start()
            try:
                driven.client.defer(client.start)
                reg = (await server.events.next("registered", "board-psk", TIMEOUT)).registration
                assert reg.identity == IDENTITY
                r = await server.read("board-psk", "/3/0/0", "text", TIMEOUT)
                assert r.code == 0x45
            finally:
                driven.stop()
                client.endpoint.link.close()
            return trace

    assert_no_key("\n".join(run(go())))


def test_int_2_client_initiated_bootstrap_with_certificates():
    """Bootstrap over coaps with X.509 certificates (Security mode 2: own
    certificate /0/x/3, the server's trust anchor /0/x/4, private key /0/x/5),
    then registration over coaps with the certificates the bootstrap wrote."""
    from certs import make

    c = make()

    async def go():
        bs = Bootstrap({})
        async with secured_client("int2", psk={}, bootstrap=bs, pct=112,
                                  certs=([c["server"], c["ca"]], c["server_key"], c["ca"])) as (server, driven, model, links):
            uri = "coaps://127.0.0.1:%d" % server.dtls_port
            model.add(0, 0, {0: uri, 1: True, 2: 2, 3: c["client"], 4: c["ca"], 5: c["client_key"], 11: 0, 12: 30})
            bs.scripts["int2"] = [("delete", "/"),
                                  ("write", "/0/1", {0: uri, 1: False, 2: 2, 3: c["client"], 4: c["ca"],
                                                     5: c["client_key"], 10: 101}),
                                  ("write", "/1/0", {0: 101, 1: 300, 6: False, 7: "U"})]
            driven.client.defer(driven.client.start)
            ev = await server.events.next("bootstrap-finished", "int2", TIMEOUT)
            assert ev.ok, ev.results
            await server.events.next("registered", "int2", TIMEOUT)
            conn = driven.client.connections[0]
            await until(lambda: conn.reg.registered())
            s = links.session(conn.peer)
            assert s.handshakes == 1 and "ECDHE-ECDSA" in s.cipher
            r = await server.read("int2", "/3/0/0", "text", TIMEOUT)
            assert r.code == 0x45
            return driven.trace

    trace = run(go())
    assert "bootstrap finished" in trace
    assert_no_key("\n".join(trace))  # (the PSK never appears; the private key is checked below)
    for line in trace:
        assert c["client_key"].hex() not in line


def test_int_2_a_client_certificate_from_another_ca_is_refused():
    from certs import make

    good, other = make(), make()

    async def go():
        async with secured_client("int2bad", psk={}, certs=([good["server"], good["ca"]], good["server_key"],
                                                            good["ca"])) as (server, driven, model, links):
            uri = "coaps://127.0.0.1:%d" % server.dtls_port
            iid = provision_psk(model, uri, s17=1, s19=3600)
            model.set((0, iid, 2), 2)
            model.set((0, iid, 3), other["client"])
            model.set((0, iid, 4), good["ca"])
            model.set((0, iid, 5), other["client_key"])
            driven.client.defer(driven.client.start)
            await until(lambda: [1 for t in driven.trace if t == "rd: timeout"], 15)
            assert server.registrations() == [] and links.session(driven.client.connections[0].peer).handshakes == 0
            return driven.trace

    assert "DTLS with" in "\n".join(run(go(), timeout=40))
