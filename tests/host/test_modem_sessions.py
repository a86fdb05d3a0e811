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


def test_bg95_marks_only_the_last_datagram_with_release_assistance():
    s = Session("bg95-rai").run()
    assert any("AT+QISENDEX" in c for c in s.modem.log)
    assert {rai for _, _, rai in s.modem.sent} <= {0, 1}

