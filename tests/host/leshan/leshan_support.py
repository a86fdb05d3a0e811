"""Helpers shared by the Leshan tests: the stand-in device and the skips (CPython, pytest)."""

import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from host_sim import leshan

MICROPYTHON = os.path.join(leshan.ROOT, ".venv", "bin", "micropython")
MPY = os.path.join(leshan.ROOT, "build", "mpy")


class StandInDevice:
    """The Leshan library client (tools/leshan/LeshanStandInClient.java) as the device."""

    # the 2.0.0-M4 client answers Observe-Composite but sends no composite notification
    FEATURES = frozenset(("TEXT", "TLV", "JSON", "SENML_JSON", "SENML_CBOR", "OPAQUE", "psk",
                          "create_delete", "composite", "send"))

    psk = None  # (identity, key): the "-psk" device registers over DTLS PSK

    def __init__(self, jars, endpoint):
        self.endpoint = endpoint
        self.secured = []  # servers given its key
        self._client = leshan.StandInClient(jars, endpoint)

    def start(self, uri, bootstrap=False, psk=None, lifetime=300, cert=None, fast_retry=False):
        self._client.start(uri, bootstrap=bootstrap, psk=psk, lifetime=lifetime)
        return self

    def wait_registered(self):
        # the server sees the registration before the client has its answer
        self._client.wait_line("REGISTERED", timeout=20)

    def update(self):
        self.wait_registered()
        self._client.command("update")

    def deregister(self):
        self._client.wait_line("REGISTERED", timeout=20)
        self._client.command("deregister")

    def send(self, paths):
        self._client.wait_line("REGISTERED", timeout=20)
        count = len([ln for ln in self._client.lines() if ln.startswith("SEN")])
        self._client.command("send " + ",".join(paths))
        return self._client.wait_line("SEN", count=count + 1)  # SENT <code> or SEND_FAILED

    def stop(self):
        self._client.stop()

    def supports(self, feature):
        return feature in self.FEATURES

    def output(self):
        return self._client.output()


def require(device, *features):
    """Skip the case when the device lacks a feature it needs."""
    for feature in features:
        if not device.supports(feature):
            pytest.skip("%s does not support %s" % (type(device).__name__, feature))


# lwm2m.main's timing options for a test that waits for a failed registration: one attempt
# (retry count 1, one sequence), a DTLS handshake given 3 s once, CoAP ACK_TIMEOUT 0.3 s (the
# Register's retransmissions fail at once without a session, the exchange still runs its course).
FAST_RETRY = ("--retry", "1,1,1,1", "--dtls-timeout", "3,1", "--ack-timeout", "300")


def plain_only(device):
    """Skip the "-psk" run of a case that gives the device its own credentials (int-1, 2, 7,
    401): its plain run is the secured one."""
    if device.psk is not None:
        pytest.skip("secured in its plain run (the case sets the credentials itself)")


def psk_pair(endpoint):
    """A PSK identity and key for `endpoint` (16 bytes, derived from its name: reproducible)."""
    key = bytes((len(endpoint) * 7 + i * 13 + ord(endpoint[i % len(endpoint)])) & 0xFF for i in range(16))
    return endpoint + "-id", key


class CPythonDevice:
    """Our client (firmware/lwm2m) in-process on CPython over UDP loopback, polled by a thread.

    Every call into the client runs on that thread (queued), so the client stays single-threaded.
    NoSec, DTLS PSK or certificates over lwm2m.link.peers.PeerLinks (python-mbedtls behind
    compat.tls()); bootstrap from a factory bootstrap account."""

    FEATURES = frozenset(("TEXT", "TLV", "JSON", "SENML_JSON", "SENML_CBOR", "CBOR", "OPAQUE",
                          "composite", "composite_root", "observe_composite", "send", "mute_send",
                          "write_attributes", "multi_resource", "create_delete", "inconsistent_bootstrap",
                          "psk", "x509", "bootstrap_fallback", "lost_session"))

    psk = None  # (identity, key): the "-psk" device registers over DTLS PSK

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.secured = []  # servers given its key
        self.client = None
        self.model = None
        self._thread = None
        self._jobs = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.sent = []  # answers to send(): CoAP codes, or None for a timeout

    def start(self, uri, bootstrap=False, psk=None, lifetime=300, cert=None, fast_retry=False):
        from lwm2m.clock import SystemClock
        from lwm2m.link.udp import UdpLink
        from lwm2m.link.peers import PeerLinks
        from lwm2m.model import Model
        from lwm2m.client.client import Client
        from lwm2m.client.servers import provision
        from lwm2m.main import credentials, timing

        m = Model()
        m.add(3, 0, {0: "MicroPython LwM2M", 1: "host", 2: "0001", 3: "0.1", 6: {0: 1, 1: 5}, 9: 87,
                     11: {0: 0}, 13: int(time.time()), 14: "+01:00", 15: "Europe/Paris", 16: "U"})
        m.bind((3, 0, 4), execute=lambda args: None)
        if bootstrap:  # factory bootstrap: only the bootstrap server's account
            iid = 0
            m.add(0, iid, {0: uri, 1: True, 2: 3, 11: 0})
        else:
            iid = provision(m, uri, ssid=123, lifetime=lifetime)
        # the keys as lwm2m.main puts them in the Security object, its timing options parsed by it
        credentials(m, iid, psk and (psk[0].encode(), psk[1]), cert)
        config, dtls, _ = timing(list(FAST_RETRY) if fast_retry else [])
        config["ep"] = self.endpoint
        self.model = m
        # a plain socket and one per DTLS session, as lwm2m.main on a board
        self._link = PeerLinks(lambda: UdpLink("127.0.0.1", 0), dtls=dtls)
        self.client = Client(m, self._link, SystemClock(), config)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="device-" + self.endpoint, daemon=True)
        self._thread.start()
        self._call(self.client.start)
        return self

    def _call(self, fn, wait=True):
        done = threading.Event()
        box = []

        def job():
            try:
                box.append(fn())
            finally:
                done.set()
        with self._lock:
            self._jobs.append(job)
        if wait and not done.wait(10):
            raise AssertionError("device thread did not run the call")
        return box[0] if box else None

    def _run(self):
        second = 0
        while not self._stop.is_set():
            with self._lock:
                jobs, self._jobs = self._jobs, []
            for job in jobs:
                job()
            self.client.poll(20)
            now = int(time.time())
            if now != second:  # the current time moves: observations of /3/0/13 notify
                second = now
                self.model.set((3, 0, 13), now)

    def wait_registered(self):
        deadline = time.monotonic() + 20
        while not self._call(lambda: all(c.reg.registered() for c in self.client.connections)):
            assert time.monotonic() < deadline, "the client never saw its registration answered"
            time.sleep(0.01)

    def update(self):
        self._call(lambda: [c.reg.trigger_update() for c in self.client.connections])

    def deregister(self):
        self._call(self.client.deregister)

    def send(self, paths):
        done = threading.Event()

        def answered(exchange):
            resp = getattr(exchange, "response", None)
            self.sent.append(None if resp is None else resp.code)
            done.set()
        parsed = [tuple(int(x) for x in p.strip("/").split("/")) for p in paths]
        if self._call(lambda: self.client.send(parsed, callback=answered)) is None:
            return None  # muted or not registered
        done.wait(10)
        return self.sent[-1] if self.sent else None

    def set(self, path, value):
        """The application changes a value, through the device's command (lwm2m.control)."""
        from lwm2m.control import Control

        answers = []
        self._call(lambda: Control(self.client, self.model, out=answers.append).feed("set %s %s" % (path, value)))
        assert answers[-1].startswith("= ok"), answers

    def stop(self):
        if self._thread is None:
            return
        try:
            self._call(lambda: self.client.stop(2000))
        finally:
            self._stop.set()
            self._thread.join(5)
            self._link.close()
            self._thread = None

    def supports(self, feature):
        return feature in self.FEATURES


class MicroPythonDevice:
    """Our client as on a board: `micropython -m lwm2m.main URI EP LIFETIME --control` (the unix
    port, the firmware as .mpy from `make mpy`), a subprocess over UDP loopback, driven through
    the commands lwm2m.main takes on stdin (firmware/lwm2m/control.py). Ctrl-C (SIGINT), or the
    end of its stdin, de-registers and exits."""

    FEATURES = frozenset(("TEXT", "TLV", "JSON", "SENML_JSON", "SENML_CBOR", "CBOR", "OPAQUE",
                          "composite", "composite_root", "observe_composite", "write_attributes",
                          "create_delete", "psk", "x509", "bootstrap_fallback", "lost_session",
                          "inconsistent_bootstrap", "send", "mute_send", "multi_resource", "multi_resource_rw"))

    psk = None  # (identity, key): the "-psk" device registers over DTLS PSK

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.secured = []  # servers given its key
        self.proc = None
        self._out = None
        self._dir = None

    def start(self, uri, bootstrap=False, psk=None, lifetime=300, args=(), cert=None, fast_retry=False):
        """args: more lwm2m.main options (for example ["--queue", "--awake", "1"])."""
        if not os.path.exists(MICROPYTHON) or not os.path.exists(os.path.join(MPY, "lwm2m", "main.mpy")):
            pytest.skip("no micropython unix port or no .mpy build (make mpy)")
        self._out = tempfile.TemporaryFile()
        env = dict(os.environ, MICROPYPATH=".frozen:" + MPY)
        args = [uri, self.endpoint, str(lifetime), "--control"] + list(args)
        if bootstrap:
            args.append("--bootstrap")
        if psk:
            args += ["--psk", "%s:%s" % (psk[0], psk[1].hex())]
        if cert:  # DER files, as a board would hold them
            self._dir = tempfile.TemporaryDirectory()
            files = []
            for name, der in zip(("cert.der", "key.der", "ca.der"), cert):
                files.append(os.path.join(self._dir.name, name))
                with open(files[-1], "wb") as f:
                    f.write(der)
            args += ["--cert", ",".join(files)]
        if fast_retry:
            args += list(FAST_RETRY)
        self.proc = subprocess.Popen([MICROPYTHON, "-X", "heapsize=1M", "-m", "lwm2m.main"] + args,
                                     env=env, stdin=subprocess.PIPE, stdout=self._out, stderr=subprocess.STDOUT)
        return self

    def output(self):
        # pread: the child writes through the same open file, so moving its
        # offset (seek, read) would make it write over the start
        fd = self._out.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")

    def answers(self):
        """The control channel's answer lines so far ("= ok update", "= sent 2.04", ...): complete
        lines only, as the process may be in the middle of printing one."""
        done = self.output().rpartition("\n")[0]
        return [ln for ln in done.splitlines() if ln.startswith("= ")]

    def write(self, line):
        """One command line to the device, without waiting."""
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def wait_answer(self, count, timeout=10):
        """The answer line number `count` (0-based) once it is there."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.answers()
            if len(got) > count:
                return got[count]
            assert self.proc.poll() is None, self.output()[-2000:]
            assert time.monotonic() < deadline, self.output()[-2000:]
            time.sleep(0.01)

    def command(self, line, timeout=10):
        """Run one command and return its answer ("= ok LINE" or "= error LINE: why")."""
        n = len(self.answers())
        self.write(line)
        return self.wait_answer(n, timeout)

    def wait_registered(self):
        deadline = time.monotonic() + 20
        while " 2.01 " not in self.output():  # its trace of the Register answer: "< A 2.01 ..."
            assert self.proc.poll() is None, self.output()[-2000:]
            assert time.monotonic() < deadline, self.output()[-2000:]
            time.sleep(0.02)

    def update(self):
        self.wait_registered()
        self.command("update")

    def deregister(self):
        self.command("deregister")

    def set(self, path, value):
        """The application changes a value (VALUE as text/plain: 21.5, 1/0, 3:0)."""
        answer = self.command("set %s %s" % (path, value))
        assert answer.startswith("= ok"), answer

    def send(self, paths):
        """A Send of these paths; its CoAP answer code, or None (muted, not registered, no answer)."""
        n = len(self.answers())
        if not self.command("send " + " ".join(paths)).startswith("= ok"):
            return None
        return sent_code(self.wait_answer(n + 1))

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        try:
            self.proc.stdin.close()
        except OSError:  # it died with a command unread
            pass
        self._out.close()
        self.proc = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def supports(self, feature):
        return feature in self.FEATURES


def sent_code(answer):
    """'= sent 2.04' -> 0x44; '= send failed' -> None."""
    if not answer.startswith("= sent "):
        return None
    major, minor = answer.split()[2].split(".")
    return int(major) << 5 | int(minor)
