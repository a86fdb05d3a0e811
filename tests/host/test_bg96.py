"""The BG96/BG95 driver against its simulator, in-process on a fake clock:
attach, open, send, receive (direct push and buffer mode), SEND FAIL,
a dropped URC, a reboot in the middle of an exchange, PSM."""
import pytest

from fake_uart import FakeClock
from host_sim.modems.bg96 import Bg96Sim
from lwm2m.modem.bg96 import Bg96

SERVER = ("127.0.0.1", 5683)


def pair(push=True, bg95=False, rai=False):
    clock = FakeClock()
    sim = Bg96Sim(clock, bg95=bg95)
    modem = Bg96(sim, clock, SERVER[0], SERVER[1], apn="iot", push=push, rai=rai)
    return clock, sim, modem


def test_attach_open_and_send_one_datagram():
    clock, sim, modem = pair()
    modem.send(b"\x40\x01\x00\x01")
    assert sim.sent == [(b"\x40\x01\x00\x01", SERVER, 0)]
    assert sim.log[:3] == ["ATE0", "AT+CMEE=1", 'AT+QCFG="iotopmode",1,1']
    assert 'AT+QIOPEN=1,0,"UDP","127.0.0.1",5683,0,1' in sim.log
    assert sim.log[-1] == "AT+QISEND=0,4"


@pytest.mark.parametrize("push", [True, False])
def test_receive_datagrams_with_crlf_inside(push):
    clock, sim, modem = pair(push=push)
    modem.send(b"ping")
    sim.deliver(b"\r\nOK\r\n", SERVER)
    sim.deliver(b"second", SERVER)
    assert modem.recv(1000) == (b"\r\nOK\r\n", SERVER)
    assert modem.recv(1000) == (b"second", SERVER)
    assert modem.recv(500) is None
    if not push:
        assert "AT+QIRD=0,1500" in sim.log


def test_send_fail_is_retried_and_then_succeeds():
    clock, sim, modem = pair()
    modem.send(b"a")
    sim.fail_sends = 2
    modem.send(b"b")
    assert [d for d, _, _ in sim.sent] == [b"a", b"b"]


def test_send_fail_every_time_raises_oserror():
    clock, sim, modem = pair()
    modem.send(b"a")
    sim.fail_sends = 10
    with pytest.raises(OSError):
        modem.send(b"b")


def test_dropped_buffer_mode_urc_is_recovered_on_the_next_urc():
    clock, sim, modem = pair(push=False)
    modem.send(b"a")
    sim.drop_urcs = 1
    sim.deliver(b"lost-urc", SERVER)
    sim.deliver(b"next", SERVER)  # no URC: the buffer was not empty
    assert modem.recv(300) == (b"lost-urc", SERVER)
    assert modem.recv(300) == (b"next", SERVER)


def test_reboot_in_the_middle_of_an_exchange_reopens_the_socket():
    clock, sim, modem = pair()
    modem.send(b"request")
    sim.reboot()
    assert modem.recv(3000) is None  # the answer is lost with the reboot
    assert modem.rebooted == 1 and not modem.ready
    modem.send(b"retransmission")
    assert sim.sent[-1][0] == b"retransmission"
    assert sim.log.count("ATE0") == 2


def test_psm_entry_then_wake_by_pwrkey():
    clock, sim, modem = pair()
    sim.psm_urc = True
    modem.send(b"a")
    sim.enter_psm()
    modem.recv(100)
    assert modem.asleep and not modem.ready
    assert sim.deliver(b"while asleep", SERVER) is False
    sim.pwrkey()
    modem.send(b"after psm")
    assert sim.sent[-1][0] == b"after psm"


def test_bg95_release_assistance_marks_the_last_datagram():
    clock, sim, modem = pair(bg95=True, rai=True)
    modem.send(b"\x01\x02", last=True)
    assert sim.sent == [(b"\x01\x02", SERVER, 1)]
    assert sim.log[-1] == 'AT+QISENDEX=0,"0102",1'


def test_modem_that_never_answers_times_out_cleanly():
    clock, sim, modem = pair()
    sim.powered = False
    with pytest.raises(Exception) as e:
        modem.start()
    assert "AtTimeout" in type(e.value).__name__
