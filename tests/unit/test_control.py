# The device's control channel (lwm2m.control): command lines parsed, applied to
# the model and the client, each answered by one "=" line.
from support import raises

from lwm2m.control import Control, parse
from lwm2m.model import Model


class Reg:
    def __init__(self):
        self.updates = 0

    def trigger_update(self):
        self.updates += 1


class Conn:
    def __init__(self):
        self.reg = Reg()


class FakeClient:
    """What Control uses of the client: connections' reg, send, deregister."""

    def __init__(self, muted=False):
        self.connections = [Conn(), Conn()]
        self.sends = []
        self.deregistered = 0
        self.muted = muted

    def send(self, paths, callback=None):
        if self.muted:
            return None
        self.sends.append((paths, callback))
        return object()

    def deregister(self):
        self.deregistered += 1


class Answer:
    def __init__(self, code):
        self.code = code


class Exchange:
    def __init__(self, code=None):
        self.response = None if code is None else Answer(code)


def device(muted=False):
    m = Model()
    m.add(3, 0, {0: "ACME", 6: {0: 1, 1: 5}, 9: 90, 16: "U"})
    m.add(3303, 0, {5700: 21.5, 5701: "Cel"})
    out = []
    return Control(FakeClient(muted), m, out=out.append), m, out


def test_parse_commands():
    assert parse("update") == ("update",)
    assert parse("  deregister  ") == ("deregister",)
    assert parse("quit\n") == ("quit",)
    assert parse("send /3303/0/5700 /3/0") == ("send", [(3303, 0, 5700), (3, 0)])
    assert parse("set /3303/0/5700 22.5") == ("set", (3303, 0, 5700), "22.5")
    assert parse("set /3/0/6/1 5") == ("set", (3, 0, 6, 1), "5")
    assert parse("set /3303/0/5701 deg C") == ("set", (3303, 0, 5701), "deg C")  # a value with blanks
    assert parse("create /3303/1 5700=3.5 5701=Cel") == ("create", (3303, 1), [(5700, "3.5"), (5701, "Cel")])
    assert parse("create /3303/2") == ("create", (3303, 2), [])
    assert parse("delete /3303/1") == ("delete", (3303, 1))


def test_parse_blank_lines_and_comments_are_nothing():
    assert parse("") is None
    assert parse("   \n") is None
    assert parse("# a comment") is None


def test_parse_refuses_what_it_cannot_take():
    for line in ("reboot", "update now", "send", "send 3/0", "set /3303/0/5700", "set /3303 1",
                 "set /3/0/6/1/2 1", "create", "create /3303 5700=1", "create /3303/1 5700",
                 "delete /3303", "send /x/0", "send /70000"):
        raises(Exception, parse, line)


def test_set_changes_the_value_with_its_type_and_answers_ok():
    ctl, m, out = device()
    seen = []
    m.listen(lambda path, event: seen.append(path))
    ctl.feed("set /3303/0/5700 22.5")
    assert m.get((3303, 0, 5700)) == 22.5 and seen == [(3303, 0, 5700)]
    ctl.feed("set /3/0/9 80")
    assert m.get((3, 0, 9)) == 80
    ctl.feed("set /3/0/6/2 2")  # a new resource instance
    assert m.get((3, 0, 6)) == {0: 1, 1: 5, 2: 2}
    assert out == ["= ok set /3303/0/5700 22.5", "= ok set /3/0/9 80", "= ok set /3/0/6/2 2"]


def test_bad_value_or_path_is_answered_and_changes_nothing():
    ctl, m, out = device()
    ctl.feed("set /3303/0/5700 warm")
    ctl.feed("set /3303/7/5700 1")
    ctl.feed("frobnicate")
    assert m.get((3303, 0, 5700)) == 21.5 and m.instances(3303) == [0]
    assert len(out) == 3 and [a for a in out if not a.startswith("= error ")] == []
    assert out[0].startswith("= error set /3303/0/5700 warm: ")


def test_update_triggers_an_update_with_every_server():
    ctl, m, out = device()
    ctl.feed("update")
    assert [c.reg.updates for c in ctl.client.connections] == [1, 1] and out == ["= ok update"]


def test_send_answers_ok_then_the_servers_code():
    ctl, m, out = device()
    ctl.feed("send /3303/0/5700 /3/0/9")
    paths, callback = ctl.client.sends[0]
    assert paths == [(3303, 0, 5700), (3, 0, 9)] and out == ["= ok send /3303/0/5700 /3/0/9"]
    callback(Exchange(0x44))
    callback(Exchange(None))  # no answer in time
    assert out[1:] == ["= sent 2.04", "= send failed"]


def test_send_muted_is_refused():
    ctl, m, out = device(muted=True)
    ctl.feed("send /3303/0/5700")
    assert out == ["= error send /3303/0/5700: muted or not registered"]


def test_create_and_delete_an_instance():
    ctl, m, out = device()
    ctl.feed("create /3303/1 5700=3.5 5701=Cel")
    assert m.get((3303, 1, 5700)) == 3.5 and m.get((3303, 1, 5701)) == "Cel"
    ctl.feed("create /3303/1")  # exists
    ctl.feed("delete /3303/1")
    assert m.instances(3303) == [0]
    assert out[0] == "= ok create /3303/1 5700=3.5 5701=Cel" and out[1].startswith("= error ")
    assert out[2] == "= ok delete /3303/1"


def test_deregister_and_quit():
    ctl, m, out = device()
    ctl.feed("deregister")
    assert ctl.client.deregistered == 1 and not ctl.done
    ctl.feed("quit")
    assert ctl.done and out == ["= ok deregister", "= ok quit"]


def test_input_cut_anywhere_is_taken_line_by_line_and_its_end_quits():
    ctl, m, out = device()
    ctl.take(b"set /3303/0/57")
    assert out == []
    ctl.take(b"00 23\nupd")
    ctl.take(b"ate\n\n# comment\nset /3/0/9 7")
    assert m.get((3303, 0, 5700)) == 23.0 and out == ["= ok set /3303/0/5700 23", "= ok update"]
    ctl.take(b"")  # end of input: the last line, then quit
    assert m.get((3, 0, 9)) == 7 and ctl.done and out[-1] == "= ok quit"


def test_input_not_utf8_or_endless_is_refused():
    ctl, m, out = device()
    ctl.take(b"set /3303/0/5701 \xff\xfe\n")
    ctl.take(b"x" * 600)
    ctl.take(b"\nupdate\n")
    assert m.get((3303, 0, 5701)) == "Cel"
    assert out[0] == "= error: not UTF-8" and out[1] == "= error: line too long" and out[-1] == "= ok update"
