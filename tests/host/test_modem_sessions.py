"""Acceptance (issue 8): a full LwM2M session (register, read, observe, notify,
update, de-register) of the firmware, built from a board configuration, over
each cellular modem simulator against the embedded server, in virtual time."""
import pytest

from host_sim.coapdump import describe
from host_sim.sessions import CELLULAR, Session


@pytest.mark.parametrize("kind", sorted(CELLULAR))
def test_full_lwm2m_session_over_each_modem_simulator(kind):
    s = Session(kind).run()
    r = s.results
    assert r["registered"].ep == kind
    assert str(r["read"]).endswith("/3303/0/5700=21.5>")
    assert str(r["observed"]).endswith("=21.5>")
    assert str(r["notification"]["result"]).endswith("=23.0>")
    assert "deregistered" in r
    # What left over the radio is what the server got: one datagram per CoAP message,
    # and no retransmission (the path is lossless).
    sent = [describe(d) for d, _, _ in s.modem.sent]
    assert sent[0].startswith("CON POST") and "/rd?ep=%s" % kind in sent[0]
    assert sent[-1].startswith("CON DELETE")
    assert [line for line in s.trace.text().splitlines() if "AGAIN" in line] == []


def test_bg95_release_assistance_follows_the_coap_message_type():
    # modems.md: RAI 0 none, 1 no further data, 2 one reply expected
    s = Session("bg95-rai").run()
    assert any("AT+QISENDEX" in c for c in s.modem.log)
    by_type = {}
    for data, _, rai in s.modem.sent:
        by_type.setdefault(describe(data).split(" ")[0], set()).add(rai)
    assert by_type["CON"] == {2}  # Register, Update, De-register: a reply is expected
    assert by_type["NON"] == {0} and by_type["ACK"] == {0}  # only the caller knows (send(last=True))



def test_queue_mode_over_psm_server_request_waits_for_the_device_to_wake():
    from host_sim.sessions import PsmSession

    s = PsmSession("bg96-push").run()
    r = s.results
    assert r["registered"].queue and r["asleep"] and r["queued"]
    assert str(r["read_after_wake"]).endswith("=24.5>")
    # woken by PWRKEY for the Update: the driver brought the modem up a second time
    assert s.modem.log.count("ATE0") == 2 and 'AT+CPSMS=1,,,"00111000","00000001"' in s.modem.log
    # the server's read went out only after the Update: nothing reached the sleeping modem
    assert s.radio.dropped == 0
