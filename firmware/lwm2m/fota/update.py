# LwM2M object 5 (Firmware Update): the state machine, push (Block1 writes to
# /5/0/0 streamed to flash block by block), pull (Block2 GET of the Package
# URI, resumed from the last stored block), checks, slot switch, rollback.
#
#   fu = FirmwareUpdate(FileStore("/fw"), clock, {"board": "esp32-nbiot",
#                       "version": "1.0.0", "reboot": machine.reset})
#   fu.install(model, endpoint)   # object 5 into the model, Block1 hook on the endpoint
#   ... main loop: endpoint.poll(); fu.step(); fu.registered() once registered
#
# What survives a reset lives in the store: the state file (FILE, replaced
# whole), the download (DOWNLOAD), the unpacked slot and the slot pointer.
from lwm2m.compat import const
from lwm2m.error import CoapError
from lwm2m.coap.message import Message
from lwm2m.coap.block import szx_for_mtu
from lwm2m.fota import package, slots
from lwm2m.fota.uri import parse as parse_uri

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_BAD_REQUEST = const(0x80)  # 4.00
_CHANGED = const(0x44)
_CONFIRMED = const(0)
_CONTINUE = const(0x5F)
_GET = const(1)
_INCOMPLETE = const(0x88)  # 4.08
_METHOD_NOT_ALLOWED = const(0x85)  # 4.05
_POST = const(2)
_PREFIX = const(12)
_PUT = const(3)
_SIZE1 = const(60)
_SWITCHED = const(1)
_TOO_LARGE = const(0x8D)  # 4.13

IDLE = 0
DOWNLOADING = 1
DOWNLOADED = 2
UPDATING = 3

INITIAL = 0
SUCCESS = 1
NO_SPACE = 2
CONNECTION_LOST = 4
INTEGRITY = 5
BAD_TYPE = 6
INVALID_URI = 7
FAILED = 8
UNSUPPORTED_PROTOCOL = 9
CANCELLED = 10

FILE = "fota.st"
DOWNLOAD = "fota.pkg"

_OID = const(5)
_VERIFY = const(1)
_PULL = const(2)
_SWITCH = const(3)
_PROTOCOLS = {"coap": 0, "coaps": 1, "http": 2, "https": 3, "coap+tcp": 4, "coaps+tcp": 5}


class FirmwareUpdate:
    def __init__(self, store, clock, config):
        """config: board (name packages must carry), version (of the factory
        image), keys ({sig.HMAC: secret} or {sig.ECDSA_P256: public point}: a
        package must then be signed), reboot (callable), deadline (seconds the
        new firmware has to register, 300), retries (pull attempts after a
        lost connection, 3), push_timeout (seconds without the next Block1
        of a push before it counts as lost, result 4; 300), schemes (pull schemes, ("coap",)), connect
        (scheme, host, port) -> (endpoint, peer) for schemes other than coap on
        the installed endpoint."""
        self.store = store
        self.clock = clock
        self.config = config
        self.model = None
        self.endpoint = None
        self.state = IDLE
        self.result = INITIAL
        self.uri = ""
        self.mode = ""
        self.name = self.version_new = ""
        self.target = ""
        self._file = None  # the download, open while blocks arrive
        self._written = 0
        self._ex = None
        self._aux = None  # an endpoint of our own for the pull (coaps: a DTLS session)
        self._tries = 0
        self._todo = 0
        self._deadline = None
        self._last_block = 0
        self._inner = None
        self._wrapper = self._handle
        self.running = slots.read(store)[0]
        self._load()
        self._boot()

    # -- installing ----------------------------------------------------------
    def install(self, model, endpoint=None):
        """Object 5 instance 0 into model, /3/0/3 (if Device is there) read from
        the running slot; Block1 writes to /5/0/0 streamed from endpoint."""
        self.model = model
        self.endpoint = endpoint
        model.add(_OID)
        protos = {}
        i = 0
        for s in self.config.get("schemes", ("coap",)):
            protos[i] = _PROTOCOLS[s]
            i += 1
        model.add(_OID, 0, {8: protos, 9: 2})
        b = model.bind
        b((5, 0, 0), write=self._write_package)
        b((5, 0, 1), read=lambda: self.uri, write=self._write_uri)
        b((5, 0, 2), execute=self._execute_update)
        b((5, 0, 3), read=lambda: self.state)
        b((5, 0, 5), read=lambda: self.result)
        b((5, 0, 6), read=lambda: self.name)
        b((5, 0, 7), read=lambda: self.version_new)
        b((5, 0, 10), execute=self._cancel)
        if 0 in model.instances(3):
            b((3, 0, 3), read=self.version)
        if endpoint is not None:
            endpoint.stream_block1 = self._streams

    def version(self):
        """The running firmware's version: its slot manifest's, or the factory one."""
        return slots.manifest(self.store, self.running).get("version") or self.config.get("version", "")

    # -- the main loop's part ------------------------------------------------
    def step(self):
        """Work that must not run inside a request handler: unpacking and
        checking a finished download, (re)starting a pull, the slot switch and
        reboot, the trial deadline."""
        aux = self._aux
        if aux is not None:
            while aux.poll(0):
                pass
            if self._ex is None and not self._todo:
                self._aux = None
                aux.link.close()
        todo, self._todo = self._todo, 0
        if todo == _VERIFY:
            self._verify()
        elif todo == _PULL:
            self._pull()
        elif todo == _SWITCH:
            self._switch()
        now = self.clock.time()
        if self._deadline is not None and now >= self._deadline:
            self._rollback()
        if (self.state == DOWNLOADING and self.mode == "push" and self._file is not None
                and now - self._last_block > self.config.get("push_timeout", 300)):
            self._fail(CONNECTION_LOST)  # the server stopped sending blocks

    def next_timeout_ms(self):
        if self._todo:
            return 0
        if self._aux is not None:
            t = self._aux.next_timeout_ms()
            return 10 if t is None or t > 10 else t  # its datagrams come in by step()
        due = self._deadline
        if self.state == DOWNLOADING and self.mode == "push" and self._file is not None:
            t = self._last_block + self.config.get("push_timeout", 300) + 1
            due = t if due is None or t < due else due
        if due is not None:
            return max(0, due - self.clock.time()) * 1000
        return None

    def registered(self):
        """The client registered: a firmware on trial has proved itself."""
        if self._deadline is None:
            return
        self._deadline = None
        # Confirmed: the previous slot is no longer a fallback, the next
        # update may reuse it.
        slots.write(self.store, slots.read(self.store)[0], "", _CONFIRMED)
        self._set(IDLE, SUCCESS)

    # -- persistence -----------------------------------------------------------
    def _save(self):
        text = "s=%d\nr=%d\nm=%s\nt=%s\nn=%s\nv=%s\nu=%s\n" % (
            self.state, self.result, self.mode, self.target, self.name, self.version_new, self.uri)
        slots.write_atomic(self.store, FILE, text.encode())

    def _load(self):
        if self.store.size(FILE) <= 0:
            return
        f = self.store.open(FILE, "rb")
        try:
            text = slots.text(f.read(1024))
        finally:
            f.close()
        for line in text.split("\n"):
            k, v = line[:1], line[2:]
            if k == "s":
                self.state = _small(v, 3)
            elif k == "r":
                self.result = _small(v, 10)
            elif k == "m":
                self.mode = v
            elif k == "t":
                self.target = v
            elif k == "n":
                self.name = v
            elif k == "v":
                self.version_new = v
            elif k == "u":
                self.uri = v

    def _set(self, state, result):
        self.state = state
        self.result = result
        self._save()
        m = self.model
        if m is not None:
            for rid in (3, 5, 6, 7):
                m.changed((_OID, 0, rid))

    def _boot(self):
        """Make the saved state agree with what booted."""
        st = self.state
        slot, prev, trial = slots.read(self.store)
        if st == UPDATING:
            if slot == self.target and trial != _CONFIRMED:
                self._deadline = self.clock.time() + self.config.get("deadline", 300)
            elif slot == self.target:
                self._set(IDLE, SUCCESS)  # confirmed; the power went before the state was saved
            else:
                self._discard()
                self._set(IDLE, FAILED)  # rolled back, or never switched
        elif st == DOWNLOADING:
            n = self.store.size(DOWNLOAD)
            if n >= 0 and n >= self._declared():
                self._todo = _VERIFY
            elif self.mode == "pull":
                self._written = max(n, 0)
                self._todo = _PULL
            else:
                # A push cannot be resumed: the server's transfer died with us.
                self._fail(CONNECTION_LOST)
        elif st == DOWNLOADED and not slots.manifest(self.store, self.target):
            self._fail(FAILED)

    def _declared(self):
        try:
            f = self.store.open(DOWNLOAD, "rb")
        except OSError:
            return -1
        try:
            n = package.declared_length(f.read(_PREFIX))
        finally:
            f.close()
        return 1 << 62 if n < 0 else n

    # -- common download steps -------------------------------------------------
    def _begin(self, mode):
        self._abort()
        self._discard()
        self.mode = mode
        self.target = slots.inactive(self.store)
        self.name = self.version_new = ""
        self._written = 0
        self._tries = 0
        self._file = self.store.open(DOWNLOAD, "wb")
        self._set(DOWNLOADING, INITIAL)

    def _put(self, off, data):
        """Store one block at off; the first one is checked for being a package
        that fits (a package and its unpacked files side by side)."""
        if off == 0 and len(data) >= _PREFIX:
            total = package.declared_length(data)
            if total < 0:
                return BAD_TYPE
            if 2 * total > self.store.free() + self._written:
                return NO_SPACE
        f = self._file
        if f is None:
            f = self._file = self.store.open(DOWNLOAD, "r+b")
        f.seek(off)
        f.write(data)
        f.flush()
        self._written = off + len(data)
        return 0

    def _close(self):
        if self._file is not None:
            f, self._file = self._file, None
            try:
                f.close()
            except OSError:
                pass

    def _discard(self):
        """Forget the download and whatever was unpacked from it."""
        self._close()
        if self.store.size(DOWNLOAD) >= 0:
            self.store.remove(DOWNLOAD)
        t = self.target
        if t and t != self.running and t != slots.read(self.store)[1]:
            package.rmtree(self.store, t)

    def _abort(self):
        ex, self._ex = self._ex, None
        ep = self._aux or self.endpoint
        if ex is not None and not ex.done and ep is not None:
            ep.cancel(ex)
        self._todo = 0

    def _fail(self, result):
        self._abort()
        self._discard()
        self._set(IDLE, result)

    def _verify(self):
        """A whole package is stored: check it, unpack it into the inactive slot;
        Downloaded only once everything passed."""
        self._close()
        st = self.store
        t = self.target
        try:
            hd = package.check(st, DOWNLOAD, self.config.get("board", ""), self.config.get("keys"))
            package.rmtree(st, t)
            package.unpack(st, DOWNLOAD, hd, t)
            slots.write_atomic(st, t + "/" + slots.MANIFEST,
                               ("name=%s\nversion=%s\nboard=%s\n" % (hd.name, hd.version, hd.board)).encode())
        except package.PackageError as e:
            self._fail(e.result)
            return
        except OSError:
            self._fail(NO_SPACE)  # the flash filled up while unpacking
            return
        self.name = hd.name
        self.version_new = hd.version
        self._set(DOWNLOADED, INITIAL)
        st.remove(DOWNLOAD)

    def _reset(self, result):
        if self.state == UPDATING:
            raise CoapError(_METHOD_NOT_ALLOWED, "updating")
        self.uri = ""
        self._fail(result)

    # -- push: Package (/5/0/0) ------------------------------------------------
    def _streams(self, m, peer):
        """Endpoint hook: Block1 writes to /5/0/0 come here block by block.
        The engine's handler is wrapped on first use, so install() may run
        before or after the client sets its own handler."""
        if m.code not in (_PUT, _POST) or m.uri_path() != ["5", "0", "0"]:
            return False
        ep = self.endpoint
        if ep.handler is not self._wrapper:
            self._inner = ep.handler
            ep.handler = self._wrapper
        return True

    def _handle(self, m, peer):
        b1 = m.block1()
        if b1 is None or m.uri_path() != ["5", "0", "0"]:
            return self._inner(m, peer)
        num, more, szx = b1
        off = num << (szx + 4)
        pl = m.payload
        if num == 0:
            if not more and _empty(pl):
                self._reset(INITIAL)
                return Message(_CHANGED)
            if self.state not in (IDLE, DOWNLOADING) or (self.state == DOWNLOADING and self.mode != "push"):
                raise CoapError(_METHOD_NOT_ALLOWED, "state %d" % self.state)
            self._begin("push")
            total = m.uint(_SIZE1)
            if total is not None and 2 * total > self.store.free():
                self._fail(NO_SPACE)
                raise CoapError(_TOO_LARGE, "not enough flash")
        elif self.state != DOWNLOADING or self.mode != "push" or off != self._written:
            raise CoapError(_INCOMPLETE, "expected block at %d" % self._written)
        self._last_block = self.clock.time()
        bad = self._put(off, pl)
        if bad:
            self._fail(bad)
            raise CoapError(_TOO_LARGE if bad == NO_SPACE else _BAD_REQUEST, "update result %d" % bad)
        if more:
            return Message(_CONTINUE)
        self._close()
        self._todo = _VERIFY
        return Message(_CHANGED)

    def _write_package(self, value):
        # A write without Block1: the whole (small) package, or a reset.
        if _empty(value):
            self._reset(INITIAL)
            return
        if self.state != IDLE:
            raise CoapError(_METHOD_NOT_ALLOWED, "state %d" % self.state)
        self._begin("push")
        bad = self._put(0, value)
        if bad:
            self._fail(bad)
            return
        self._close()
        self._todo = _VERIFY

    # -- pull: Package URI (/5/0/1) --------------------------------------------
    def _write_uri(self, value):
        if not value:
            self._reset(INITIAL)
            return
        if self.state != IDLE:
            raise CoapError(_METHOD_NOT_ALLOWED, "state %d" % self.state)
        if value == self.uri and self.mode == "pull" and self.result == CONNECTION_LOST:
            # The same URI after a lost connection: go on from what is stored.
            self._tries = 0
            self._set(DOWNLOADING, INITIAL)
            self._todo = _PULL
            return
        self.uri = value
        try:
            scheme = parse_uri(value)[0]
        except ValueError:
            self._fail(INVALID_URI)
            return
        if scheme not in self.config.get("schemes", ("coap",)):
            self._fail(UNSUPPORTED_PROTOCOL)
            return
        self._begin("pull")
        self._close()
        self._todo = _PULL

    def _connect(self, scheme, host, port):
        c = self.config.get("connect")
        r = None if c is None else c(scheme, host, port)
        if r is not None:
            return r
        from lwm2m.compat import sockaddr

        return self.endpoint, sockaddr(host, port)

    def _pull(self):
        """GET the package from the last whole block stored (0 for a new one)."""
        try:
            scheme, host, port, path = parse_uri(self.uri)
            if self._aux is not None:
                ep, peer = self._aux, self._aux_peer  # a retry keeps its (DTLS) session
            else:
                ep, peer = self._connect(scheme, host, port)
        except Exception:
            self._fail(INVALID_URI)
            return
        if ep is not self.endpoint:
            self._aux = ep
            self._aux_peer = peer
        szx = szx_for_mtu(getattr(ep.link, "mtu", 1152))
        size = 16 << szx
        have = max(self.store.size(DOWNLOAD), 0)
        off = (min(self._written, have) // size) * size
        self._close()
        if have == 0:
            self.store.open(DOWNLOAD, "wb").close()
        self._written = off
        m = Message(_GET)
        m.set_uri_path(path)
        m.set_block2(off // size, 0, szx)
        self._ex = ep.request(m, peer, self._pulled, self._block)

    def _block(self, ex, off, payload, more):
        if ex is not self._ex or self.state != DOWNLOADING:
            raise ValueError("stale download")  # the engine cancels the exchange
        if off < self._written and off + len(payload) <= self._written:
            return  # a block we already have
        if off != self._written:
            raise ValueError("block at %d, expected %d" % (off, self._written))
        bad = self._put(off, payload)
        if bad:
            self._ex = None
            self._fail(bad)
            raise ValueError("update result %d" % bad)

    def _pulled(self, ex):
        if ex is not self._ex:
            return
        self._ex = None
        r = ex.response
        if ex.error is not None or r is None:
            # Lost the network (or a block out of order): go on from the last
            # stored block, a few times.
            self._tries += 1
            if self._tries <= self.config.get("retries", 3):
                self._todo = _PULL
                return
            self._close()
            self._set(IDLE, CONNECTION_LOST)  # the partial download stays for a retry of the same URI
            return
        if r.code == _INCOMPLETE and self._written:
            # A server that cannot start a transfer mid-way: from zero, then.
            self._written = 0
            self._todo = _PULL
            return
        if r.code >> 5 != 2:
            self._fail(INVALID_URI)  # 4.04 and friends: nothing to download there
            return
        if r.block2() is None:
            bad = self._put(0, r.payload)  # a server that answered in one piece
            if bad:
                self._fail(bad)
                return
        self._close()
        self._todo = _VERIFY

    # -- Update (/5/0/2) and Cancel (/5/0/10) ----------------------------------
    def _execute_update(self, args):
        if self.state != DOWNLOADED:
            raise CoapError(_METHOD_NOT_ALLOWED, "nothing downloaded")
        self._set(UPDATING, INITIAL)
        self._todo = _SWITCH  # after the 2.04 went out

    def _switch(self):
        if self.state != UPDATING:
            return
        slots.write(self.store, self.target, self.running, _SWITCHED)
        reboot = self.config.get("reboot")
        if reboot is not None:
            reboot()

    def _rollback(self):
        """The new firmware did not register in time: back to the previous slot
        (which then reports Update Result 8) and reboot."""
        self._deadline = None
        slot, prev, trial = slots.read(self.store)
        slots.write(self.store, prev, "", _CONFIRMED)
        reboot = self.config.get("reboot")
        if reboot is not None:
            reboot()

    def _cancel(self, args):
        if self.state not in (DOWNLOADING, DOWNLOADED):
            raise CoapError(_METHOD_NOT_ALLOWED, "nothing to cancel")
        self._reset(CANCELLED)


def _small(v, top):
    # A damaged state file must not stop the board from booting.
    return int(v) if v.isdigit() and int(v) <= top else 0


def _empty(v):
    return not v or (len(v) == 1 and v[0] == 0)
