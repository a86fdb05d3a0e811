# lwm2m.link.release: release assistance (the last datagram of a step says last=True).
from lwm2m.link.release import ReleaseLink


class ModemLink:
    mtu = 512

    def __init__(self):
        self.sent = []
        self.released = 0

    def send(self, data, peer=None, last=False):
        self.sent.append((data, last))

    def release(self):
        self.released += 1

    def recv(self, timeout_ms):
        return None

    def close(self):
        pass


def test_last_datagram_of_a_step_carries_release_when_nothing_is_expected():
    m = ModemLink()
    told = []
    r = ReleaseLink(m, takes_last=True, on_release=lambda: told.append(1))
    r.send(b"a", None)
    r.send(b"b", None)
    assert m.sent == []  # held until the step ends
    r.flush(True)
    assert m.sent == [(b"a", False), (b"b", True)] and m.released == 1 and told == [1]


def test_no_release_while_an_answer_is_expected():
    m = ModemLink()
    r = ReleaseLink(m, takes_last=True)
    r.send(b"con", None)
    r.flush(False)
    assert m.sent == [(b"con", False)] and m.released == 0


def test_a_link_without_the_last_flag_gets_plain_sends():
    sent = []

    class Plain:
        mtu = 100

        def send(self, data, peer):
            sent.append((data, peer))

    r = ReleaseLink(Plain())
    r.send(b"x", ("h", 1))
    r.flush(True)
    assert sent == [(b"x", ("h", 1))] and r.mtu == 100


def test_a_failed_send_does_not_escape_the_flush_and_drops_the_rest_of_the_step():
    # A DTLS link whose handshake failed raises from send: the datagrams are
    # lost as on the air (CoAP retransmits a CON) and the client's loop goes on.
    class Failing(ModemLink):
        def send(self, data, peer=None, last=False):
            if data == b"b":
                raise OSError(110, "handshake: no answer")
            ModemLink.send(self, data, peer, last)

    m = Failing()
    r = ReleaseLink(m, takes_last=True)
    for d in (b"a", b"b", b"c"):
        r.send(d, None)
    r.flush(True)
    assert m.sent == [(b"a", False)] and r.dropped == 2 and r.last_error.args[0] == 110
    r.send(b"d", None)
    r.flush(True)
    assert m.sent[-1] == (b"d", True)
