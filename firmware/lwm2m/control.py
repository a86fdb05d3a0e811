# The device's control channel: one command per line, from a person at the
# terminal, a test or another part of the application, applied to the running
# client. lwm2m.main reads it from stdin with --control.
#   update                          Registration Update now (every server)
#   send PATH [PATH ...]            LwM2M Send of these paths (SenML CBOR)
#   set PATH VALUE                  the application changes a value (observers
#                                   are notified); VALUE as in text/plain: 21.5,
#                                   1 or 0 for a boolean, 3:0 for an object link
#   create /OID/IID [RID=VALUE ...] the application adds an instance (announced
#   delete /OID/IID                 by an Update) or removes one
#   deregister                      De-register and stay off
#   quit                            de-register and stop (also at end of input)
# Every command is answered by one line starting with "=": "= ok COMMAND" or
# "= error COMMAND: why"; a Send's outcome follows later as "= sent 2.04" or
# "= send failed". A script waits for these lines, not for a time.
from lwm2m import compat
from lwm2m.codec.common import parse_path
from lwm2m.codec.text import text_value

_ARGS = {"update": 0, "deregister": 0, "quit": 0, "send": -1, "set": 2, "create": -1, "delete": 1}


def _path(text, lengths):
    p = parse_path(text)
    if len(p) not in lengths:
        raise ValueError("%s: wrong path length" % text)
    return p


def parse(line):
    """One command line -> (verb, args...), or None for a blank line or a
    comment (#). Raises ValueError for anything else it cannot take."""
    words = line.split()
    if not words or words[0][0] == "#":
        return None
    verb, args = words[0], words[1:]
    n = _ARGS.get(verb)
    if n is None:
        raise ValueError("unknown command (%s)" % " ".join(sorted(_ARGS)))
    if verb == "set":  # the value may hold blanks: a string resource
        parts = line.split(None, 2)
        if len(parts) < 3:
            raise ValueError("usage: set PATH VALUE")
        return verb, _path(parts[1], (3, 4)), parts[2].strip()
    if n >= 0 and len(args) != n:
        raise ValueError("%s takes %d argument(s)" % (verb, n))
    if verb == "send":
        if not args:
            raise ValueError("usage: send PATH [PATH ...]")
        return verb, [_path(a, (1, 2, 3, 4)) for a in args]
    if verb == "create":
        if not args:
            raise ValueError("usage: create /OID/IID [RID=VALUE ...]")
        values = []
        for a in args[1:]:
            rid, eq, text = a.partition("=")
            if not eq:
                raise ValueError("%s: expected RID=VALUE" % a)
            values.append((_path("/" + rid, (1,))[0], text))
        return verb, _path(args[0], (2,)), values
    if verb == "delete":
        return verb, _path(args[0], (2,))
    return (verb,)


def _why(e):
    return str(e.args[0]) if e.args else repr(e)


class Control:
    def __init__(self, client, model, out=print):
        """out(line): where answers go."""
        self.client = client
        self.model = model
        self.out = out
        self.done = False  # quit was asked: the caller stops the client
        self._poller = None
        self._stream = None
        self._buf = b""

    # -- commands ------------------------------------------------------------
    def feed(self, line):
        """Apply one command line and answer it; never raises."""
        line = line.strip()
        try:
            cmd = parse(line)
            if cmd is None:
                return
            getattr(self, "_" + cmd[0])(*cmd[1:])
        except Exception as e:
            self.out("= error %s: %s" % (line, _why(e)))
            return
        self.out("= ok " + line)

    def _value(self, path, text):
        return text_value(self.model.type_of(path), text)

    def _update(self):
        for c in self.client.connections:
            c.reg.trigger_update()

    def _deregister(self):
        self.client.deregister()

    def _quit(self):
        self.done = True

    def _send(self, paths):
        if self.client.send(paths, callback=self._sent) is None:
            raise ValueError("muted or not registered")

    def _sent(self, exchange):
        code = getattr(exchange, "response", None)
        code = None if code is None else code.code
        self.out("= send failed" if code is None else "= sent %d.%02d" % (code >> 5, code & 31))

    def _set(self, path, text):
        self.model.set(path, self._value(path, text))

    def _create(self, path, values):
        out = {}
        for rid, text in values:
            out[rid] = self._value(path + (rid,), text)
        self.model.add(path[0], path[1], out)

    def _delete(self, path):
        self.model.remove(path)

    # -- reading a stream without blocking -----------------------------------
    def watch(self, stream=None):
        """Take commands from stream (default stdin) at each poll() from now on."""
        import select
        import sys

        self._stream = stream or sys.stdin
        self._poller = select.poll()
        self._poller.register(self._stream, select.POLLIN)

    def poll(self):
        """Apply the commands that have arrived; returns at once."""
        while self._poller is not None and not self.done and self._poller.poll(0):
            self.take(compat.read_ready(self._stream))

    def take(self, chunk):
        """Input as it arrives, cut anywhere: whole lines are applied. b"" is
        the end of the input, which counts as quit (a script that dies leaves
        no device behind)."""
        if not chunk:
            self._poller = None
            self._line(self._buf)
            self._buf = b""
            self.feed("quit")
            return
        self._buf += chunk
        while b"\n" in self._buf:
            line, _, self._buf = self._buf.partition(b"\n")
            self._line(line)
        if len(self._buf) > 512:  # no line is this long: drop it
            self._buf = b""
            self.out("= error: line too long")

    def _line(self, data):
        try:
            text = data.decode()
        except UnicodeError:
            self.out("= error: not UTF-8")
            return
        self.feed(text)
