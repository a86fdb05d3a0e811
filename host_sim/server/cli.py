"""A console to watch and poke devices: `python -m host_sim.server`.
Prints what devices do as it happens; reads commands (see HELP) from stdin."""
import asyncio
import os
import shlex
import stat
import sys

from ..names import FORMATS, content_format, format_name, parse_path, path_str

HELP = """commands (FMT: %s or a number):
  list                                  registered devices
  read EP PATH [FMT]                    Read (FMT: the Accept option)
  discover EP PATH                      Discover
  write EP PATH VALUE|RES=VALUE... [FMT]  Write (replace, PUT); VALUE hex:.. is a raw payload
  update EP PATH RES=VALUE... [FMT]     Write (partial update, POST)
  attr EP PATH NAME=VALUE|NAME...       Write-Attributes
  exec EP PATH [ARGS]                   Execute
  create EP PATH RES=VALUE... [FMT]     Create
  delete EP PATH                        Delete
  composite EP PATH... [FMT]            Read-Composite
  wcomposite EP PATH=VALUE... [FMT]     Write-Composite
  observe EP PATH [FMT]                 Observe
  ocomposite EP PATH... [FMT]           Observe-Composite
  cancel EP PATH [reset]                cancel an observation (Observe=1, or RST on the next notification)
  observations                          active observations
  help | quit""" % ", ".join(sorted(FORMATS))


def parse_value(text):
    """What a person types -> a Python value of the likely LwM2M type."""
    if text.startswith("hex:"):
        return bytes.fromhex(text[4:])
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def split_format(args, default=None, numbers=True):
    """A trailing format name (or number, unless a number there may be a value)
    -> (args, format)."""
    if args and (args[-1].lower() in FORMATS or (numbers and args[-1].isdigit() and len(args) > 2)):
        return args[:-1], content_format(args[-1])
    return args, default


def describe_event(event):
    reg = event.data.get("registration")
    if event.kind in ("registered", "deregistered", "expired"):
        return "%s %s%s" % (event.kind, reg.summary(), "" if reg.identity is None else " psk=" + reg.identity)
    if event.kind == "updated":
        return "updated %s changed=%s" % (reg.summary(), ",".join(event.changed) or "nothing")
    if event.kind == "notification":
        return "notification %s %s %s" % (event.ep, path_str(event.path), event.result.describe())
    if event.kind == "send":
        what = " ".join("%s=%r" % (path_str(p), v) for p, v in event.records or ())
        return "send %s %s %s" % (event.ep, format_name(event.format), what or event.error or event.payload.hex())
    return "%s %s %s" % (event.kind, event.ep, " ".join("%s=%s" % kv for kv in sorted(event.data.items())))


class Console:
    def __init__(self, server, out=None):
        self.server = server
        self.out = out or sys.stdout
        server.events.subscribe(lambda event: self.say(describe_event(event)))

    def say(self, text):
        self.out.write(text + "\n")
        self.out.flush()

    async def execute(self, line):
        """One command line -> the text to print (errors are text too)."""
        try:
            words = shlex.split(line)
        except ValueError as e:
            return "error: %s" % e
        if not words:
            return ""
        name, args = words[0].lower(), words[1:]
        handler = getattr(self, "do_" + name, None)
        if handler is None:
            return "unknown command %r; try help" % name
        try:
            return await handler(args)
        except EOFError:
            raise  # quit
        except asyncio.TimeoutError:
            return "timeout: no answer"
        except (ValueError, TypeError, IndexError) as e:
            return "error: %s\nusage: %s" % (e, self.usage(name))
        except Exception as e:  # the console stays up whatever one command does
            return "error: %s" % (e.args[0] if e.args else type(e).__name__)

    @staticmethod
    def usage(name):
        for line in HELP.split("\n"):
            if line.strip().startswith(name + " ") or line.strip() == name:
                return line.strip()
        return "help"

    async def do_help(self, args):
        return HELP

    async def do_list(self, args):
        regs = self.server.registrations()
        return "\n".join(r.summary() for r in regs) if regs else "no devices"

    async def do_observations(self, args):
        return "\n".join(repr(o) for o in self.server.observations()) or "no observations"

    async def do_read(self, args):
        (ep, path), accept = split_format(args)
        return (await self.server.read(ep, path, accept)).describe()

    async def do_discover(self, args):
        ep, path = args
        return (await self.server.discover(ep, path)).describe()

    def _values(self, args):
        """VALUE or RES=VALUE... -> (values or None, payload or None)."""
        if len(args) == 1 and "=" not in args[0]:
            value = parse_value(args[0])
            if isinstance(value, bytes):
                return None, value
            return [((), value)], None
        values = []
        for arg in args:
            key, eq, value = arg.partition("=")
            if not eq:
                raise ValueError("expected RES=VALUE, got %r" % arg)
            values.append((int(key) if key.isdigit() else key, parse_value(value)))
        return values, None

    async def _write(self, args, replace):
        args, fmt = split_format(args, "senml-cbor", numbers=False)
        ep, path, rest = args[0], args[1], args[2:]
        values, payload = self._values(rest)
        if values is not None and values[0][0] == ():
            values = [(path, values[0][1])]
        return (await self.server.write(ep, path, values, fmt, payload, replace)).describe()

    async def do_write(self, args):
        return await self._write(args, True)

    async def do_update(self, args):
        return await self._write(args, False)

    async def do_attr(self, args):
        ep, path, attrs = args[0], args[1], args[2:]
        return (await self.server.write_attributes(ep, path, attrs)).describe()

    async def do_exec(self, args):
        ep, path = args[0], args[1]
        return (await self.server.execute(ep, path, " ".join(args[2:]) or None)).describe()

    async def do_create(self, args):
        args, fmt = split_format(args, "senml-cbor", numbers=False)
        values, payload = self._values(args[2:]) if args[2:] else (None, None)
        return (await self.server.create(args[0], args[1], values, fmt, payload)).describe()

    async def do_delete(self, args):
        ep, path = args
        return (await self.server.delete(ep, path)).describe()

    async def do_composite(self, args):
        args, fmt = split_format(args, "senml-cbor")
        return (await self.server.read_composite(args[0], args[1:], fmt)).describe()

    async def do_wcomposite(self, args):
        args, fmt = split_format(args, "senml-cbor", numbers=False)
        values, payload = self._values(args[1:])
        return (await self.server.write_composite(args[0], values, fmt, payload)).describe()

    async def do_observe(self, args):
        (ep, path), accept = split_format(args)
        obs = await self.server.observe(ep, path, accept)
        return ("observing " if obs.active else "not observing ") + obs.result.describe()

    async def do_ocomposite(self, args):
        args, fmt = split_format(args, "senml-cbor")
        obs = await self.server.observe_composite(args[0], args[1:], fmt)
        return ("observing " if obs.active else "not observing ") + obs.result.describe()

    async def do_cancel(self, args):
        ep, path, reset = args[0], args[1], args[2:] == ["reset"]
        wanted = parse_path(path)
        for obs in self.server.observations(ep):
            if obs.path == wanted:
                result = await self.server.cancel(obs, reset=reset)
                return "cancelled" if result is None else "cancelled " + result.describe()
        return "error: no observation of %s on %s" % (path, ep)

    async def do_quit(self, args):
        raise EOFError


async def serve(server, stdin=None):
    """Run the console on `stdin` (a StreamReader) until EOF or quit."""
    console = Console(server)
    console.say("LwM2M server listening on %s:%d (help for commands)" % (server.host, server.port))
    if server.tcp:
        console.say("CoAP over TCP on %s:%d" % (server.host, server.port))
    if server.dtls is not None:
        console.say("DTLS PSK on %s:%d" % (server.host, server.dtls_port))
    if stdin is None:
        stdin = await _stdin_reader()
    while True:
        line = await stdin.readline()
        if not line:
            return
        try:
            text = await console.execute(line.decode("utf-8", "replace"))
        except EOFError:
            return
        if text:
            console.say(text)


class _FileLines:
    """readline() of a file asyncio cannot watch (a regular file, /dev/null):
    read in a worker thread."""

    def __init__(self, f):
        self.f = f

    async def readline(self):
        line = await asyncio.get_running_loop().run_in_executor(None, self.f.buffer.readline)
        return line


async def _stdin_reader():
    fd = sys.stdin.fileno()
    mode = os.fstat(fd).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(fd)):
        return _FileLines(sys.stdin)  # epoll cannot watch regular files or /dev/null
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader
