"""A simulated datagram network on the Simulator's virtual clock.

Nodes have names and a host address; each node opens ports, and a port is a
datagram link (docs/design.md, "The datagram link"): send(data, peer),
recv(timeout_ms), close(), mtu. Peers are (host, port) tuples, as CPython's
UDP sockets give them.

Every direction between two nodes is a Path with its own loss, duplication,
reordering and delay (fixed + jitter), drawn from its own random.Random seeded
from the network seed and the two names: one seed gives one run, and traffic
on one path does not shift the dice of another.

A node may sit behind a carrier NAT: the address the far end sees is a public
mapping that is replaced after an idle period (NAT rebinding), and datagrams
sent to a forgotten mapping are dropped, as on a real NB-IoT network.
"""
import random

from host_sim.trace import Trace

DEFAULT_MTU = 1152  # IPv6 minimum MTU (1280) minus IP, UDP and DTLS headers
DEFAULT_DELAY_MS = 10
_FOREVER_MS = 10 ** 15  # longer than any simulation: about 30,000 years


class Path:
    """The impairments of one direction between two nodes.

    loss, duplicate, reorder: probabilities in [0, 1]. delay_ms + a uniform
    0..jitter_ms: the one-way delay. A reordered datagram is held back an extra
    reorder_ms, so datagrams sent after it overtake it. A duplicated datagram
    arrives twice, each copy with its own delay. rate_bps (None: unlimited)
    adds the time to put each datagram's payload on the air, one after another,
    as on an NB-IoT link of a few kbit/s.
    """

    def __init__(self, rng, delay_ms=DEFAULT_DELAY_MS, jitter_ms=0, loss=0.0, duplicate=0.0,
                 reorder=0.0, reorder_ms=200, rate_bps=None):
        self.rng = rng
        self.rate_bps = rate_bps
        self.busy_until = 0  # when the last datagram is fully sent, at rate_bps
        self.delay_ms = delay_ms
        self.jitter_ms = jitter_ms
        self.loss = loss
        self.duplicate = duplicate
        self.reorder = reorder
        self.reorder_ms = reorder_ms

    def set(self, **settings):
        for name, value in settings.items():
            if not hasattr(self, name) or name in ("rng", "busy_until"):
                raise TypeError("no path setting %r" % name)
            setattr(self, name, value)
        return self

    def airtime(self, now, nbytes):
        """ms from now until a datagram of nbytes is fully sent (queueing behind
        the ones before it); 0 without a rate."""
        if not self.rate_bps:
            return 0
        start = max(now, self.busy_until)
        self.busy_until = start + -(-nbytes * 8000 // self.rate_bps)
        return self.busy_until - now

    def transmit(self, now=0, nbytes=0):
        """The fate of one datagram: (list of arrival delays in ms, list of tags).
        An empty delay list means it was lost."""
        rng = self.rng
        sent = self.airtime(now, nbytes)
        if self.loss and rng.random() < self.loss:
            return [], ["LOST"]
        copies = 2 if self.duplicate and rng.random() < self.duplicate else 1
        delays, tags = [], []
        for _ in range(copies):
            delay = sent + self.delay_ms + (rng.randint(0, self.jitter_ms) if self.jitter_ms else 0)
            if self.reorder and rng.random() < self.reorder:
                delay += self.reorder_ms
                tags.append("LATE+%dms" % self.reorder_ms)
            delays.append(delay)
        if copies == 2:
            tags.append("DUP")
        return delays, tags


class Nat:
    """A carrier NAT in front of one node: private (host, port) -> public (host, port).

    A mapping idle for idle_ms (no datagram either way; only outbound ones if
    inbound_refresh is False) is forgotten; the node's next datagram gets a new
    public port, and the far end sees a new source address.
    """

    def __init__(self, public_host="100.64.0.1", idle_ms=120000, first_port=40000, inbound_refresh=True):
        self.public_host = public_host
        self.idle_ms = idle_ms
        self.inbound_refresh = inbound_refresh
        self._next_port = first_port
        self._out = {}  # private addr -> [public addr, last used ms]
        self._in = {}  # public addr -> private addr
        self.mappings_made = 0  # the first mapping and every rebinding

    def _live(self, private, now):
        entry = self._out.get(private)
        if entry is not None and now - entry[1] > self.idle_ms:
            self._forget(private)
            return None
        return entry

    def _forget(self, private):
        public = self._out.pop(private)[0]
        del self._in[public]

    def outbound(self, private, now):
        """The public source address for a datagram from `private`; second
        value True when the mapping is new (a rebinding, or the first one)."""
        entry = self._live(private, now)
        if entry is not None:
            entry[1] = now
            return entry[0], False
        public = (self.public_host, self._next_port)
        self._next_port += 1
        self._out[private] = [public, now]
        self._in[public] = private
        self.mappings_made += 1
        return public, True

    def peek(self, public, now):
        """The private address behind `public` if its mapping is live, without
        refreshing it."""
        private = self._in.get(public)
        if private is None or self._live(private, now) is None:
            return None
        return private

    def inbound(self, public, now):
        """The private address behind `public`, or None if no live mapping."""
        private = self._in.get(public)
        if private is None:
            return None
        entry = self._live(private, now)
        if entry is None:
            return None
        if self.inbound_refresh:
            entry[1] = now
        return private

    def rebind(self):
        """Forget every mapping now, as a NAT reboot or a cell change does."""
        for private in list(self._out):
            self._forget(private)


class Counters:
    """Per-node traffic, as the energy model wants it: up = sent, down = received."""

    def __init__(self):
        self.up_datagrams = 0
        self.up_bytes = 0
        self.down_datagrams = 0
        self.down_bytes = 0
        self.lost = 0  # sent by this node and never delivered (loss, no route, MTU)

    def as_dict(self):
        return dict(self.__dict__)


class Port:
    """One datagram link on a node (host, port)."""

    def __init__(self, node, number, mtu):
        self.node = node
        self.address = (node.host, number)
        self.mtu = mtu
        self.actor = None
        self.closed = False
        self._inbox = []

    def __repr__(self):
        return "<Port %s %s:%d>" % (self.node.name, self.address[0], self.address[1])

    def attach(self, actor):
        """Hand every arriving datagram to actor.receive(data, peer) at once
        (and tick the actor from the simulator) instead of queueing it for recv().
        An actor attached before is detached."""
        if self.actor is not None and self.actor is not actor:
            self.detach()
        self.actor = actor
        if actor not in self.node.network.sim.actors:
            self.node.network.sim.add_actor(actor)
        return actor

    def detach(self):
        """Back to queueing datagrams for recv(); the actor is no longer ticked."""
        actor, self.actor = self.actor, None
        if actor is not None and actor in self.node.network.sim.actors:
            self.node.network.sim.remove_actor(actor)

    def send(self, data, peer):
        if self.closed:
            raise OSError(9, "port closed")
        self.node.network._send(self, bytes(data), peer)

    def recv(self, timeout_ms):
        """The next datagram (data, peer), or None after timeout_ms of virtual
        time (None: until nothing more can arrive). Called from outside the
        simulator it runs the simulation while it waits; from inside an actor it
        does not block."""
        if not self._inbox and not self.closed:
            sim = self.node.network.sim
            if sim.running:
                pass
            elif timeout_ms is None:
                # Wait for as long as anything may still arrive.
                sim.run_until(lambda: self._has_input() or sim.next_time() is None, _FOREVER_MS)
            elif timeout_ms > 0:
                sim.run_until(self._has_input, timeout_ms)
        if self._inbox:
            return self._inbox.pop(0)
        return None

    def _has_input(self):
        return bool(self._inbox) or self.closed

    def close(self):
        self.closed = True
        self._inbox = []
        self.node.ports.pop(self.address[1], None)
        self.node.network._routes.pop(self.address, None)
        self.detach()

    def _deliver(self, data, peer):
        if self.closed:
            return
        self.node.count("down", len(data))
        for fn in self.node.sniffers:
            fn(self.node.network.sim.clock.now_ms, "down", data)
        if self.actor is not None:
            self.actor.receive(data, peer)
        else:
            self._inbox.append((data, peer))


class Node:
    def __init__(self, network, name, host, nat):
        self.network = network
        self.name = name
        self.host = host
        self.nat = nat
        self.ports = {}
        self.counters = Counters()
        self.watchers = []  # fn(now_ms, "up" or "down", nbytes) per datagram: the energy model's feed
        self.sniffers = []  # fn(now_ms, "up" or "down", data): what is on the wire (DTLS flights)
        self._next_port = 49152

    def watch(self, fn):
        """Call fn(now_ms, direction, nbytes) for every datagram this node
        sends ("up") or receives ("down")."""
        self.watchers.append(fn)

    def sniff(self, fn):
        """Call fn(now_ms, direction, data) with every datagram this node
        sends ("up") or receives ("down")."""
        self.sniffers.append(fn)

    def count(self, direction, nbytes):
        c = self.counters
        if direction == "up":
            c.up_datagrams += 1
            c.up_bytes += nbytes
        else:
            c.down_datagrams += 1
            c.down_bytes += nbytes
        for fn in self.watchers:
            fn(self.network.sim.clock.now_ms, direction, nbytes)

    def port(self, number=None, mtu=DEFAULT_MTU):
        """Open a port (an ephemeral one if number is None); returns the link."""
        if number is None:
            while self._next_port in self.ports:
                self._next_port += 1
            number = self._next_port
        if number in self.ports:
            raise OSError(98, "port %d in use on %s" % (number, self.name))
        port = Port(self, number, mtu)
        self.ports[number] = port
        self.network._routes[port.address] = port
        return port


class Network:
    """Nodes, the paths between them, and the delivery of every datagram.

    `path_defaults` are the settings of a path nobody configured (delay 10 ms,
    no loss); path(src, dst, ...) and both(a, b, ...) change them per direction.
    """

    def __init__(self, sim, seed=0, trace=None, **path_defaults):
        self.sim = sim
        self.seed = seed
        self.trace = trace if trace is not None else Trace(sim.clock)
        self.nodes = {}
        self.path_defaults = path_defaults
        self._paths = {}
        self._routes = {}  # address -> Port
        self._next_host = 2

    def node(self, name, host=None, nat=None):
        """The node called name, made on first use (host 10.0.0.N unless given);
        a nat given later puts an existing node behind it."""
        node = self.nodes.get(name)
        if node is None:
            if host is None:
                host = "10.0.0.%d" % self._next_host
                self._next_host += 1
            node = Node(self, name, host, nat)
            self.nodes[name] = node
        elif nat is not None:
            node.nat = nat
        return node

    def path(self, src, dst, **settings):
        """The Path from node src to node dst (names), with settings applied."""
        key = (src, dst)
        path = self._paths.get(key)
        if path is None:
            rng = random.Random("%s:%s->%s" % (self.seed, src, dst))
            path = Path(rng, **self.path_defaults)
            self._paths[key] = path
        return path.set(**settings)

    def both(self, a, b, **settings):
        """Apply the same settings to both directions between a and b."""
        self.path(a, b, **settings)
        self.path(b, a, **settings)

    def _resolve(self, peer, now):
        """(Port that datagrams sent to `peer` reach now, the Nat they pass or
        None); (None, None) when nobody holds the address."""
        port = self._routes.get(peer)
        if port is not None:
            return port, None
        for node in self.nodes.values():
            if node.nat is not None:
                private = node.nat.peek(peer, now)
                if private is not None:
                    return self._routes.get(private), node.nat
        return None, None

    def _send(self, port, data, peer):
        now = self.sim.clock.now_ms
        node = port.node
        node.count("up", len(data))
        for fn in node.sniffers:
            fn(now, "up", data)
        peer = tuple(peer)
        src = port.address
        if node.nat is not None:
            src, fresh = node.nat.outbound(port.address, now)
            if fresh:
                self.trace.note("nat: %s %s:%d is seen as %s:%d" % ((node.name,) + port.address + src))
        dst_port, nat = self._resolve(peer, now)
        if dst_port is None:
            delays, tags = [], ["NO ROUTE"]
        elif len(data) > port.mtu:
            delays, tags = [], ["OVER MTU %d" % port.mtu]
        else:
            delays, tags = self.path(node.name, dst_port.node.name).transmit(now, len(data))
        dst_name = dst_port.node.name if dst_port is not None else "?"
        self.trace.datagram(node.name, src, dst_name, peer, data, tags)
        if not delays:
            node.counters.lost += 1
        for delay in delays:
            self.sim.call_later(delay, self._arrive, dst_port, nat, peer, data, src, node)

    def _arrive(self, dst_port, nat, peer, data, src, sender):
        # A NAT is checked when the datagram reaches it: the mapping may have
        # been forgotten while the datagram was on its way.
        if nat is not None and nat.inbound(peer, self.sim.clock.now_ms) != dst_port.address:
            sender.counters.lost += 1
            self.trace.note("nat: no mapping for %s:%d any more, datagram from %s dropped" % (peer + (sender.name,)))
            return
        dst_port._deliver(data, src)

    def totals(self):
        """{node name: Counters.as_dict()} for every node."""
        return dict((name, node.counters.as_dict()) for name, node in self.nodes.items())
