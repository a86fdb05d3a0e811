# The LwM2M client: one CoAP endpoint, the data model, and for every LwM2M
# server in the model (lwm2m.client.servers) a registration, an attribute
# store, stored notifications. `poll(max_ms)` is the whole main loop: wait
# for a datagram or the next deadline, answer it, run what is due; it never
# raises (errors go to the trace callback).
#
#   client = Client(model, UdpLink(), SystemClock(), {"ep": "dev-1"})
#   client.start()
#   while True:
#       client.poll(1000)
from lwm2m.compat import const, say, sockaddr, ticks_diff, ticks_add
from lwm2m.error import CoapError
from lwm2m.coap.message import Message
from lwm2m.coap.endpoint import Endpoint
from lwm2m.client import servers as S
from lwm2m.client import reglinks, registration as R
from lwm2m.client.attrs import AttributeStore
from lwm2m.client.dispatch import Dispatcher, Server
from lwm2m.client.reporter import Reporter
from lwm2m.client.offline import NotificationStore

# Numbers defined in other modules, copied as private constants: MicroPython
# inlines them (no dict slot, no qstr); tests/host/test_private_consts.py checks the copies.
_CONTENT_FORMAT = const(12)
_LOCATION_PATH = const(8)
_SENML_CBOR = const(112)

_POST = const(2)
_SETTLE_MS = const(1000)
_CHANGED = const(0x44)
_CREATED_EV = const(1)
_DELETED_EV = const(2)


def _bs():
    # Bootstrap is imported when first needed: a device that never
    # bootstraps does not keep its code and names on the heap.
    from lwm2m.client import bootstrap  # feature: bootstrap

    return bootstrap


class Connection:
    """One LwM2M server: where it is, its registration and its state."""

    def __init__(self, ssid, uri, peer, srv_iid, reg, attrs, store):
        self.ssid = ssid
        self.uri = uri
        self.peer = peer
        self.srv_iid = srv_iid
        self.reg = reg
        self.priority = None  # Registration Priority Order (/1/x/13)
        self.server = Server(ssid, attrs)
        self.store = store


def _resolve(uri):
    scheme, host, port = S.parse_uri(uri)
    return sockaddr(host, port)


class Client:
    def __init__(self, model, link, clock, config, trace=None):
        """link: a datagram link (docs/design.md) or a ready coap Endpoint.
        config: ep (endpoint name, required); default_format (reads without
        Accept, default SenML CBOR 112); ct (format announced on </>);
        margin (seconds an Update goes ahead of the lifetime, default 93);
        store_limit (notifications kept while offline, 32); resolve
        (uri -> peer address, default a socket address); params (CoAP
        transmission settings, lwm2m.coap.params.Params); compact (Register
        without lt and b at their defaults: small LoRaWAN frames); heartbeat
        (seconds of silence after which a registered client sends a CoAP ping);
        server_defaults ({Server resource id: value} for resources a Server
        instance lacks, e.g. {16: True, 17: 2, 18: 5}: a device's own
        bootstrap-on-failure and retry timing where the spec's do not fit)."""
        self.model = model
        self.clock = clock
        self.config = config
        self.trace = trace
        if hasattr(link, "request"):
            self.endpoint = link
        else:
            self.endpoint = Endpoint(link, clock, params=config.get("params"))
        ep = self.endpoint
        ep.handler = self._handle
        ep.on_observe = self._on_observe
        ep.on_cancel = self._on_cancel
        self.dispatcher = Dispatcher(model, config.get("default_format", _SENML_CBOR), self._acos)
        self.dispatcher.on_created = self._aco_create
        self.dispatcher.on_deleted = self._aco_delete
        self.reporter = Reporter(self.dispatcher)
        self.connections = []
        self._observed = None  # (peer, token, reply) between handler and on_observe
        self._started = False
        self.bootstrap = None  # a bootstrap in progress (lwm2m.client.bootstrap)
        self._bs_peer = None
        self.online = True
        self._later = []  # deferred hooks (Reboot): run after the response left
        self._timers = []  # (ticks_ms due, fn): hooks deferred by some time
        self._last_io = clock.ticks_ms()  # last LwM2M message in or out (queue mode)
        model.add(0)  # Security and Server are mandatory: present even before bootstrap fills them
        model.add(1)
        model.listen(self._on_model)

    # -- life cycle --------------------------------------------------------
    def start(self):
        """Read the servers from the model and begin registering with each;
        with no LwM2M server account but a bootstrap one, bootstrap first."""
        now = self.clock.time()
        resolve = self.config.get("resolve", _resolve)
        servers = S.find(self.model)
        if not servers:
            self.request_bootstrap()
        for ssid, uri, sec, srv in servers:
            try:
                peer = resolve(uri)
            except Exception as e:
                self._log("bad server URI %r: %r" % (uri, e))
                continue
            self._route(uri, sec, peer)
            c = self._connection(ssid, uri, peer, srv)
            c.priority = S.get(self.model, (1, srv, 13))
            self.connections.append(c)
        # Registration Priority Order (/1/x/13): lowest first, servers without
        # one after those with (1.1.1 6.2.1); sort() on distinct keys only.
        order = [((c.priority is None, c.priority or 0, c.ssid), c) for c in self.connections]
        order.sort(key=lambda e: e[0])
        self.connections = [e[1] for e in order]
        self._start_in_order(now)
        self._started = True

    def _start_in_order(self, now):
        """Start each registration once every higher-priority server has
        registered or failed; a failure with Registration Failure Block
        (/1/x/15) true stops the ones after it."""
        for c in self.connections:
            if c.reg.state == R.IDLE:
                c.reg.start(now)
            if c.priority is None:
                continue
            st = c.reg.state
            if st == R.FAILED and self._flag(c, 15):
                return
            if st not in (R.REGISTERED, R.UPDATING, R.FAILED):
                return  # the next servers wait for this one

    # -- bootstrap ---------------------------------------------------------------
    def request_bootstrap(self, delay=0):
        """Client-initiated bootstrap (also /1/x/9, and /1/x/16 after failed
        registrations): when it is due, de-register, then ask the bootstrap
        server. The trigger waits a second so the server has matched the
        Execute's 2.04 before the De-register arrives."""
        b = _bs().Bootstrap(self.model, self.config["ep"], self.config.get("pct"))
        if not b.start(self.clock.time(), delay):
            self._log("no bootstrap server account")
            return False
        try:
            self._bs_peer = self.config.get("resolve", _resolve)(b.uri)
        except Exception as e:
            self._log("bad bootstrap URI %r: %r" % (b.uri, e))
            return False
        self._route(b.uri, b.sec, self._bs_peer)
        self.bootstrap = b
        self._log("bootstrap with %s" % b.uri)
        return True

    def _bootstrap_step(self, now):
        b = self.bootstrap
        if b.state == _bs().DONE:
            self._log("bootstrap finished")
            self.bootstrap = None
            self._route(None, None, self._bs_peer)  # the bootstrap account's session ends
            for c in self.connections:
                self._drop_observations(c)
            self.connections = []
            self.start()
            return
        due = b.deadline()
        if due is not None and now >= due and b.state == _bs().HOLDING:
            leaving = False
            for c in self.connections:  # leave the old servers before asking the bootstrap server
                if c.reg.state not in (R.DEREGISTERED, R.IDLE, R.DEREGISTERING):
                    c.reg.deregister()
                leaving = leaving or c.reg.state in (R.DEREGISTERING, R.REGISTERING, R.UPDATING)
            if leaving:
                return
        req = b.step(now)
        if req is None:
            return
        method, path, query = req
        m = Message(method)
        m.set_uri_path("/".join(path))
        for q in query:
            m.add_query(q)
        self._log("bootstrap request %s" % "&".join(query))

        def done(ex):
            t = self.clock.time()
            if ex.error is not None or ex.response is None:
                b.on_failure(t)
            else:
                b.on_response(t, ex.response.code)

        self.endpoint.request(m, self._bs_peer, done)

    def _route(self, uri, sec, peer):
        """A coaps:// server in PSK mode (/0/x/2 = 0: identity /0/x/3, key
        /0/x/5) or certificate mode (2) gets a DTLS session of its own where
        the link can give one (lwm2m.link.peers.PeerLinks); any other URI
        goes over the plain link.
        The key goes from the model to the link, never to the trace."""
        link = self.endpoint.link
        while link is not None and not hasattr(link, "secure"):
            link = getattr(link, "link", None)  # through wrappers (connectivity statistics)
        if link is None:
            return  # the link is what it is (a DtlsLink given directly, a simulated port)
        if uri is None or not uri.startswith("coaps"):
            link.release(peer)
            return
        m = self.model
        mode = S.get(m, (0, sec, 2), 3)
        if link.trace is None:
            link.trace = self._log
        if mode == 0:
            link.secure(peer, S.get(m, (0, sec, 3), b""), S.get(m, (0, sec, 5), b""))
        elif mode == 2:  # certificates: own /0/x/3, private key /0/x/5, the server's anchor /0/x/4
            link.secure(peer, None, S.get(m, (0, sec, 5), b""), S.get(m, (0, sec, 3), b""),
                        S.get(m, (0, sec, 4), b""), S.parse_uri(uri)[1])
        else:
            self._log("%s: security mode %d is not supported (PSK, certificates only)" % (uri, mode))

    def _connection(self, ssid, uri, peer, srv):
        model, cfg = self.model, self.config
        reg = R.Registration(cfg["ep"], cfg.get("version", "1.1"), margin=cfg.get("margin", 93),
                             compact=cfg.get("compact", False))
        reg.configure(**self._settings(srv))
        reg.set_objects(self._links())
        attrs = AttributeStore(lambda: S.periods(model, srv))
        c = Connection(ssid, uri, peer, srv, reg, attrs,
                       NotificationStore(cfg.get("store_limit", 32)))
        c.server.con_default = S.flag(model, srv, 26)
        # Registration Update Trigger (/1/x/8), Disable (/1/x/4) and
        # Bootstrap-Request Trigger (/1/x/9) belong to this connection; the
        # last two act after their 2.04 has gone out.
        try:
            model.bind((1, srv, 8), execute=lambda args: c.reg.trigger_update())
            # A short pause first: a server may still be finishing the exchange
            # that asked for it when the De-register arrives (Leshan cancels it).
            model.bind((1, srv, 4), execute=lambda args: self.defer(lambda: self._disable(c), _SETTLE_MS))
            model.bind((1, srv, 9), execute=lambda args: self.defer(self.request_bootstrap, _SETTLE_MS))
        except CoapError as e:
            self._log("Server instance %d: %r" % (srv, e))
        return c

    def _settings(self, srv):
        out = S.settings(self.model, srv, self.config.get("server_defaults"))
        if self.config.get("queue") is not None:
            out["queue"] = bool(self.config["queue"])
        return out

    def _flag(self, c, rid):
        return S.flag(self.model, c.srv_iid, rid, self.config.get("server_defaults"))

    def _disable(self, c):
        timeout = S.get(self.model, (1, c.srv_iid, 5), 86400)
        self._log("server %d disabled for %d s" % (c.ssid, timeout))
        c.reg.disable(self.clock.time(), timeout)

    def deregister(self):
        """Start De-register with every server (sent by the next step)."""
        for c in self.connections:
            c.reg.deregister()
        self.step()

    def stop(self, wait_ms=5000):
        """De-register from every server, waiting up to wait_ms for answers."""
        self.deregister()
        t0 = self.clock.ticks_ms()
        # (a Register or Update in flight is answered first, then De-register goes)
        while any(c.reg.leaving() for c in self.connections):
            left = wait_ms - ticks_diff(self.clock.ticks_ms(), t0)
            if left <= 0:
                break
            self.endpoint.poll(min(left, 100))
            self.step()

    def set_online(self, online):
        """The application (modem driver) says whether the network is there.
        Offline, nothing is sent and notifications are stored (/1/x/6); back
        online, each server gets an Update, after which the stored
        notifications go out in order."""
        was, self.online = self.online, bool(online)
        if online and not was:
            for c in self.connections:
                c.reg.trigger_update()

    def _links(self):
        return reglinks.object_links(reglinks.model_objects(self.model), self.config.get("ct"))

    # -- the main loop -----------------------------------------------------
    def poll(self, max_ms=1000):
        """Wait up to max_ms (less when something is due) for one datagram,
        handle it, then run everything due. Never raises. Returns True when
        a datagram came in."""
        got = False
        try:
            wait = self.next_timeout_ms()
            if wait is None or wait > max_ms:
                wait = max_ms
            got = self.endpoint.poll(wait)
        except Exception as e:
            self._log("poll: %r" % (e,))
        self.step()
        return got

    # The sans-IO actor interface (host simulator: port.attach(client)).
    def receive(self, data, peer):
        """One incoming datagram, then whatever became due."""
        self.endpoint.receive(data, peer)
        self.step()

    def tick(self):
        """Run the CoAP timers and the LwM2M deadlines that are due."""
        self.endpoint.tick()
        self.step()

    def next_timeout_ms(self):
        """Milliseconds until the LwM2M layer or the CoAP engine has work."""
        now = self.clock.time()
        due = self.reporter.deadline()
        if self.bootstrap is not None and self.online:
            d = self.bootstrap.deadline() if self.bootstrap.state != _bs().DONE else now
            if d is not None and (due is None or d < due):
                due = d
        for c in self.connections if self.online else ():  # offline nothing is sent
            d = c.reg.deadline()
            if d is not None and (due is None or d < due):
                due = d
        out = None if due is None else max(0, (due - now) * 1000)
        for t in (self.endpoint.next_timeout_ms(), self._heartbeat_ms()):
            if t is not None and (out is None or t < out):
                out = t
        now_ms = self.clock.ticks_ms()
        for due_ms, fn in self._timers:
            t = max(0, ticks_diff(due_ms, now_ms))
            if out is None or t < out:
                out = t
        return out

    def _heartbeat_ms(self):
        """ms until the heartbeat is due (config heartbeat: seconds of silence
        after which a registered client sends a CoAP ping), or None."""
        hb = self.config.get("heartbeat")
        if not hb or not self.online or not [c for c in self.connections if c.reg.registered()]:
            return None
        return max(0, hb * 1000 - self.idle_ms())

    def _heartbeat(self):
        # LoRaWAN Class A: the server reaches the device only in the receive
        # windows after an uplink, so a request (or a retransmission) that
        # missed one waits for the next; the ping is that uplink.
        if self._heartbeat_ms() != 0:
            return
        self._io()
        for c in self.connections:
            if c.reg.registered():
                self._log("heartbeat")
                self.endpoint.ping(c.peer)

    # -- what queue mode (lwm2m.client.queue) asks ---------------------------
    def busy(self):
        """True while the device must stay awake for the client's own sake: an
        exchange in flight, or a deferred hook not yet run (Disable's pause
        too: asleep, nothing would run it)."""
        return bool(self._later or self._timers) or self.endpoint.next_timeout_ms() is not None

    def idle_ms(self):
        """Milliseconds since the last LwM2M message in or out."""
        return ticks_diff(self.clock.ticks_ms(), self._last_io)

    def wake_step(self, quiet_ms):
        """step() at a wake from sleep: the client counts at least quiet_ms of
        radio silence (one rebuilt after deep sleep cannot know how long it
        was). True when the step sent anything."""
        old = self._last_io
        mark = self._last_io = ticks_add(self.clock.ticks_ms(), -quiet_ms)
        self.step()
        if self._last_io != mark:
            return True
        self._last_io = old
        return False

    def defer(self, fn, ms=0):
        """Run fn() at the next step, after the response to the request being
        handled has been sent (Reboot must answer 2.04 first); with ms, no
        sooner than ms milliseconds from now."""
        if ms:
            self._timers.append((ticks_add(self.clock.ticks_ms(), ms), fn))
        else:
            self._later.append(fn)

    def step(self):
        """Run what is due now: deferred hooks, registration requests,
        notifications."""
        now_ms = self.clock.ticks_ms()
        for t in [t for t in self._timers if ticks_diff(t[0], now_ms) <= 0]:
            self._timers.remove(t)
            self._later.append(t[1])
        while self._later:
            fn = self._later.pop(0)
            try:
                fn()
            except Exception as e:
                self._log("deferred hook: %r" % (e,))
        try:
            now = self.clock.time()
            if self.bootstrap is not None and self.online:
                self._bootstrap_step(now)
            self._start_in_order(now)
            for c in self.connections:
                req = c.reg.step(now) if self.online else None
                if req is not None:
                    self._send_reg(c, req)
                elif c.reg.state == R.FAILED and self.bootstrap is None and self._flag(c, 16):
                    # Bootstrap on Registration Failure (/1/x/16)
                    self.request_bootstrap()
            for item in self.reporter.due(now):
                self._deliver(item)
            self._heartbeat()
        except Exception as e:
            self._log("step: %r" % (e,))

    # -- registration traffic ----------------------------------------------
    def _send_reg(self, c, req):
        fresh = req[1] == ["rd"]
        self._log("%s %s %s" % ("register" if fresh else "update" if req[0] == _POST else "deregister",
                                "/".join(req[1]), "&".join(req[2])))
        self._send(req, c.peer, c.reg, lambda: self._after_reg(c, fresh))

    def _send(self, req, peer, machine, after):
        """Send a (method, path, query, payload, ct) request of a Registration
        and report its outcome to it."""
        method, path, query, payload, ct = req
        m = Message(method)
        m.set_uri_path(path)
        for q in query:
            m.add_query(q)
        if ct is not None:
            m.add_option(_CONTENT_FORMAT, ct)
        if payload:
            m.payload = payload
        where = "/".join(path)

        def done(ex):
            self._io()
            now = self.clock.time()
            if ex.error is not None or ex.response is None:
                self._log("%s: %s" % (where, ex.error))
                machine.on_failure(now)
            else:
                r = ex.response
                machine.on_response(now, r.code, r.location_path())
                self._log("%s -> %d.%02d" % (where, r.code >> 5, r.code & 31))
            if after is not None:
                after()

        self._io()
        self.endpoint.request(m, peer, done)

    def _io(self):
        self._last_io = self.clock.ticks_ms()

    def _after_reg(self, c, fresh):
        ok = c.reg.registered()
        if ok and fresh:
            # A new registration: the server forgot our observations.
            self._drop_observations(c)
            c.store.drain()
        elif ok:
            self._flush(c)

    def _drop_observations(self, c):
        ep = self.endpoint
        for obs in list(ep.observations):
            if obs.peer == c.peer:
                ep.cancel(obs, "re-registered")
        self.reporter.cancel_server(c.server)

    # -- server requests -----------------------------------------------------
    def _conn_for(self, peer):
        for c in self.connections:
            if c.peer == peer:
                return c
        # one server only: a changed source address (NAT) is still that server
        return self.connections[0] if len(self.connections) == 1 else None

    def _handle(self, req, peer):
        self._io()
        if self.bootstrap is not None and peer == self._bs_peer:
            return self._message(self.bootstrap.handle(req, self.dispatcher.codec_for, self.clock.time()))
        c = self._conn_for(peer)
        if c is None:
            raise CoapError(0x81, "unknown server")
        reply = self.dispatcher.handle(req, c.server)
        if reply.observe == "start":
            self._observed = (peer, req.token, reply, c)
        return self._message(reply)

    def _message(self, reply):
        m = Message(reply.code)
        if reply.ct is not None:
            m.add_option(_CONTENT_FORMAT, reply.ct)
        if reply.location:
            for seg in reply.location:
                m.add_option(_LOCATION_PATH, seg)
        m.payload = reply.payload or b""
        return m

    def _on_observe(self, obs):
        o = self._observed
        self._observed = None
        if o is None or o[0] != obs.peer or o[1] != obs.token:
            return
        peer, token, reply, c = o
        self.reporter.add(obs, c.server, reply.paths, reply.composite, reply.ct, reply.records,
                          self.clock.time())

    def _on_cancel(self, obs, why):
        self.reporter.cancel(obs)
        for c in self.connections:
            c.store.forget(obs)

    # -- notifications -------------------------------------------------------
    def _deliver(self, item):
        o, code, payload, con = item
        c = None
        for x in self.connections:
            if x.server is o.server:
                c = x
        if c is None:
            return
        if not (self.online and c.reg.registered()):
            if S.flag(self.model, c.srv_iid, 6):
                c.store.push(o.key, item, o.attrs().get("hqmax"))
            return
        nat = self.config.get("nat_timeout_ms")
        if nat and (len(c.store) or self.idle_ms() > nat):
            # Quiet longer than a carrier NAT keeps its mapping: the server
            # would not know our new address. Update first; the notification
            # follows it (flushed when the Update succeeds).
            c.store.push(o.key, item, o.attrs().get("hqmax"))
            c.reg.trigger_update()
            return
        self._notify(item)

    def _notify(self, item):
        o, code, payload, con = item
        m = Message(code)
        if code == 0x45:
            m.add_option(_CONTENT_FORMAT, o.fmt)
        m.payload = payload
        self._io()
        self.endpoint.notify(o.key, m, con)

    def _flush(self, c):
        for key, item in c.store.drain():
            self._notify(item)

    # -- Send (1.1.1 6.4.6) ----------------------------------------------------
    def send(self, paths, ssid=None, callback=None):
        """POST /dp with the values at paths (SenML CBOR) to server ssid (the
        first registered one by default). Returns the exchange, or None when
        muted (/1/x/23) or not registered."""
        for c in self.connections:
            if (ssid is None or c.ssid == ssid) and c.reg.registered():
                if S.flag(self.model, c.srv_iid, 23):
                    self._log("send muted for server %d" % c.ssid)
                    return None
                records = self.dispatcher.read_records([tuple(p) for p in paths], c.server)
                m = Message(_POST)
                m.set_uri_path("dp")
                m.add_option(_CONTENT_FORMAT, _SENML_CBOR)
                m.payload = self.dispatcher.codec_for(_SENML_CBOR).encode(records, ())
                self._io()
                return self.endpoint.request(m, c.peer, callback)
        return None

    # -- model events ----------------------------------------------------------
    def _on_model(self, path, event):
        try:
            now = self.clock.time()
            self.reporter.changed(path, now)
            if event == _DELETED_EV:
                for c in self.connections:
                    c.server.attrs.drop(path)
            if event in (_CREATED_EV, _DELETED_EV) and self._started:
                links = self._links()
                for c in self.connections:
                    c.reg.set_objects(links)
            if path[0] == 1:
                for c in self.connections:
                    if len(path) < 2 or path[1] == c.srv_iid:
                        c.reg.configure(**self._settings(c.srv_iid))
                        c.server.con_default = S.flag(self.model, c.srv_iid, 26)
        except Exception as e:
            self._log("model event: %r" % (e,))

    def _acos(self):
        """Access Control instances when more than one server is configured
        (E.3: with one server access control does not apply)."""
        if len(self.connections) < 2:
            return None
        from lwm2m.client import acl  # feature: acl (only with several servers)

        return acl.from_model(self.model)

    def _aco_create(self, path, server):
        from lwm2m.client import acl  # feature: acl (Create)

        acl.own(self.model, path, server.ssid)

    def _aco_delete(self, path):
        from lwm2m.client import acl  # feature: acl (Delete)

        acl.forget(self.model, path)

    def _log(self, text):
        say(self.trace, text)

    note = _log  # public: a Queue traces its timers' failures through the client's hook
