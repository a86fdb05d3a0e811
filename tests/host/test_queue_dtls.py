"""The queue-mode reference device over DTLS 1.2 PSK in the simulator (the firmware's DtlsLink
against the server's DTLS front, host_sim/sim_dtls.py): no notification lost across NAT
rebindings, handshakes counted on the wire, deep sleep without a second Register."""
import pytest

pytest.importorskip("mbedtls")

from hypothesis import given, settings, strategies as st  # noqa: E402

from host_sim.scenarios import queue_demo as Q  # noqa: E402
from host_sim.sim_dtls import CLIENT_HELLO, SERVER_HELLO, handshake_messages  # noqa: E402

OFF = {"idle_rehandshake_ms": None}


def _lost(m):
    return m.notifications_sent - m.notifications


def _completed(m):
    return sum(link.handshakes for link in m.device.dtls_links)


def test_behind_a_nat_every_wake_rehandshakes_and_no_notification_is_lost():
    m = Q.Month(1, dtls={}).run()
    assert m.registers == 1 and m.updates == 1
    assert m.notifications_sent >= 94 and _lost(m) == 0
    # one full handshake per wake (a ServerHello on the wire each), as the client counts them
    assert m.flights.handshakes == _completed(m) == m.wakes
    assert m.flights.counts[("up", CLIENT_HELLO)] == 2 * m.flights.handshakes  # the second with the cookie
    assert m.device.link.dropped == 0


def test_without_a_nat_one_session_lasts_the_days():
    m = Q.Month(3, dtls=OFF, nat=False).run()
    assert m.flights.handshakes == 1 and _lost(m) == 0 and m.updates == 3


def test_deep_sleep_loses_the_session_at_each_reset_but_never_registers_again():
    m = Q.Month(1, dtls=OFF, nat=False, deep=True).run()
    assert m.registers == 1 and _lost(m) == 0
    assert m.flights.handshakes == m.wakes  # a session lives in RAM only


def test_without_idle_rehandshake_a_nat_rebinding_loses_the_non_notifications():
    # Why idle_rehandshake_ms is on by default: the server cannot match records
    # from the new port to a session and drops them without a word.
    m = Q.Month(1, dtls=OFF).run()
    assert _lost(m) > 90
    assert m.registers == 1 and m.updates == 1  # the CONs get through on a new session


@settings(max_examples=25, deadline=None, derandomize=True)
@given(rebinds=st.lists(st.integers(60 * 1000, 6 * 3600 * 1000), min_size=1, max_size=6))
def test_no_notification_is_lost_across_nat_rebindings(rebinds):
    # Rebindings at any moment once the observation is set up (a NAT reboot, a
    # cell change), on top of the 2-minute idle timer: every notification the
    # device sent reaches the server.
    m = Q.Month(0.25, dtls={})
    nat = m.net.nodes["device"].nat
    for at in rebinds:
        m.sim.call_at(at, nat.rebind)
    m.run()
    assert _lost(m) == 0 and m.registers == 1
    assert m.notifications_sent >= 6 * 4 - 2


def test_a_handshake_whose_last_flight_is_lost_completes_at_the_next_attempt():
    # Seed 1 with 5 % loss drops the client's first Finished flight: the server
    # must take the client's new ClientHello (message_seq 0) instead of feeding
    # it to the half-done session; nothing escapes the device's loop.
    m = Q.Month(0.25, dtls={}, loss=0.05)
    records = m.net.trace.records
    m.run()
    first_lost = [r for r in records if r[1] == "datagram" and "LOST" in r[-1]][:1]
    assert first_lost and first_lost[0][0] < 5000 and first_lost[0][2] == "device"  # its last flight
    assert m.registers == 1 and m.flights.counts[("down", SERVER_HELLO)] >= 2


def test_handshake_messages_reads_every_record_of_a_flight():
    hello = bytes([22, 0xFE, 0xFD, 0, 0]) + bytes(6) + bytes([0, 12]) + bytes([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    done = bytes([22, 0xFE, 0xFD, 0, 0]) + bytes(6) + bytes([0, 12]) + bytes([14, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    encrypted = bytes([22, 0xFE, 0xFD, 0, 1]) + bytes(6) + bytes([0, 12]) + bytes(12)
    assert handshake_messages(hello + done + encrypted) == [SERVER_HELLO, 14]
    assert handshake_messages(b"\x16\xfe") == []
