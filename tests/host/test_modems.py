"""Each cellular driver against its own simulator, in-process on a fake clock:
attach, open, send, receive, a failed send, a reboot in the middle of an
exchange, PSM and wake-up. Dialects: ../shared/reference/modems.md."""
import pytest

from fake_uart import FakeClock
from host_sim.modems.bg96 import Bg96Sim
from host_sim.modems.sara_r4 import SaraR4Sim
from host_sim.modems.sim7080 import Sim7080Sim
from lwm2m.modem.bg96 import Bg96
from lwm2m.modem.sara_r4 import SaraR4
from lwm2m.modem.sim7080 import Sim7080

SERVER = ("127.0.0.1", 5683)

PSM = ("01000011", "00000001")  # T3412 30 h, T3324 2 s
DRIVERS = {
    "bg96-push": (Bg96Sim, lambda sim, clock: Bg96(sim, clock, *SERVER, apn="iot", push=True, psm=PSM, wake=sim.pwrkey)),
    "bg96-buffer": (Bg96Sim, lambda sim, clock: Bg96(sim, clock, *SERVER, apn="iot", push=False, psm=PSM, wake=sim.pwrkey)),
    "sim7080": (Sim7080Sim, lambda sim, clock: Sim7080(sim, clock, *SERVER, apn="iot", wake=sim.pwrkey)),
    "sara-r4": (SaraR4Sim, lambda sim, clock: SaraR4(sim, clock, *SERVER, apn="iot", wake=sim.pwrkey)),
}


def pair(name):
    clock = FakeClock()
    make_sim, make_driver = DRIVERS[name]
    sim = make_sim(clock)
    return clock, sim, make_driver(sim, clock)


@pytest.fixture(params=sorted(DRIVERS))
def modem(request):
    return pair(request.param)


def sent(sim):
    return [d for d, _, _ in sim.sent]


def test_attach_open_send_and_receive_with_crlf_and_ok_inside(modem):
    clock, sim, drv = modem
    drv.send(b"\x40\x01\x00\x01")
    assert sim.sent == [(b"\x40\x01\x00\x01", SERVER, 0)]
    assert sim.log[0] == "ATE0" or "ATE0" in sim.log
    sim.deliver(b"\r\nOK\r\n", SERVER)
    sim.deliver(b"\x00\xffsecond", SERVER)
    assert drv.recv(1000) == (b"\r\nOK\r\n", SERVER)
    assert drv.recv(1000) == (b"\x00\xffsecond", SERVER)
    assert drv.recv(500) is None


def test_failed_send_brings_the_modem_up_again_and_resends(modem):
    clock, sim, drv = modem
    drv.send(b"a")
    sim.fail_sends = 1
    drv.send(b"b")
    assert sent(sim) == [b"a", b"b"]


def test_send_that_keeps_failing_raises_oserror(modem):
    clock, sim, drv = modem
    drv.send(b"a")
    sim.fail_sends = 10
    with pytest.raises(OSError):
        drv.send(b"b")


def test_reboot_in_the_middle_of_an_exchange(modem):
    clock, sim, drv = modem
    drv.send(b"request")
    sim.reboot()
    assert drv.recv(3000) is None  # the answer is lost with the modem's state
    drv.send(b"retransmission")
    assert sent(sim)[-1] == b"retransmission"
    sim.deliver(b"answer", SERVER)
    assert drv.recv(1000) == (b"answer", SERVER)


def test_psm_then_wake_for_the_next_send(modem):
    clock, sim, drv = modem
    drv.send(b"a")
    sim.enter_psm()
    drv.recv(100)
    assert not drv.ready and drv.asleep
    assert sim.deliver(b"while asleep", SERVER) is False
    drv.send(b"after psm")
    assert sent(sim)[-1] == b"after psm"


def test_lost_data_urc_is_recovered_by_the_buffer_mode_driver():
    clock, sim, drv = pair("bg96-buffer")
    drv.send(b"a")
    sim.drop_urcs = 1
    sim.deliver(b"lost-urc", SERVER)
    sim.deliver(b"next", SERVER)  # no URC: the modem's buffer was not empty
    assert drv.recv(300) == (b"lost-urc", SERVER)
    assert drv.recv(300) == (b"next", SERVER)


def test_bg95_release_assistance_marks_the_last_datagram():
    clock = FakeClock()
    sim = Bg96Sim(clock, bg95=True)
    drv = Bg96(sim, clock, *SERVER, rai=True)
    drv.send(b"\x01\x02", last=True)
    assert sim.sent == [(b"\x01\x02", SERVER, 1)]
    assert sim.log[-1] == 'AT+QISENDEX=0,"0102",1'


def test_sim7080_autobaud_repeats_at_until_answered():
    clock, sim, drv = pair("sim7080")
    drv.send(b"x")
    assert sim.log[:3] == ["AT", "AT", "AT"]


def test_sara_sends_in_hex_mode():
    clock, sim, drv = pair("sara-r4")
    drv.send(b"\x0d\x0a")
    assert "AT+UDCONF=1,1" in sim.log
    assert sim.log[-1] == 'AT+USOST=0,"127.0.0.1",5683,2,"0D0A"'


def test_modem_that_never_answers_times_out_cleanly(modem):
    clock, sim, drv = modem
    sim.powered = False
    drv.wake = None
    with pytest.raises(OSError):
        drv.send(b"x")
