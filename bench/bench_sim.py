"""host_sim speed: how much wall time a stretch of simulated time costs.

Writes bench/results/sim.md. Figures are wall-clock and vary by machine; they
are here to show that simulated hours pass in milliseconds.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (ROOT, os.path.join(ROOT, "firmware")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from lwm2m.coap import message as m  # noqa: E402
from lwm2m.coap.params import Params  # noqa: E402

from host_sim.endpoints import coap_endpoint  # noqa: E402
from host_sim.network import Nat, Network  # noqa: E402
from host_sim.scheduler import Simulator  # noqa: E402


class Reporter:
    """A device that sends a 40-byte report every period_ms; the server echoes it."""

    def __init__(self, sim, port, peer, period_ms):
        self.sim, self.port, self.peer, self.period = sim, port, peer, period_ms
        self.due = period_ms

    def receive(self, data, peer):
        pass

    def tick(self):
        self.port.send(bytes(40), self.peer)
        self.due = self.sim.now_ms + self.period

    def next_timeout_ms(self):
        return self.due - self.sim.now_ms


class Echo:
    def __init__(self, port):
        self.port = port

    def receive(self, data, peer):
        self.port.send(data, peer)

    def tick(self):
        pass

    def next_timeout_ms(self):
        return None


def network_day(period_ms):
    sim = Simulator()
    net = Network(sim, seed=1, delay_ms=300, jitter_ms=200, loss=0.1)
    dev = net.node("device", nat=Nat(idle_ms=120000)).port()
    srv = net.node("server").port(5683)
    dev.attach(Reporter(sim, dev, srv.address, period_ms))
    srv.attach(Echo(srv))
    t0 = time.perf_counter()
    sim.run_for(24 * 3600 * 1000)
    wall = time.perf_counter() - t0
    return wall, net.nodes["device"].counters.up_datagrams + net.nodes["server"].counters.up_datagrams


def coap_requests(n, loss):
    """n CON POSTs (4-byte body) through the real Endpoint; returns
    (wall s, virtual ms, datagrams, bytes on the wire)."""
    sim = Simulator()
    net = Network(sim, seed=1, delay_ms=50, jitter_ms=30, loss=loss)
    params = Params(max_retransmit=16)
    server = coap_endpoint(net, "server", 5683, params=params, handler=lambda req, peer: m.Message(m.CHANGED))
    client = coap_endpoint(net, "client", params=params)
    t0 = time.perf_counter()
    exchanges = [client.request(m.Message(m.POST, payload=b"%04d" % i).set_uri_path("/c"), server.link.address)
                 for i in range(n)]
    sim.run_until(lambda: all(ex.done for ex in exchanges), 10 ** 12)
    wall = time.perf_counter() - t0
    c, s = net.nodes["client"].counters, net.nodes["server"].counters
    return wall, sim.now_ms, c.up_datagrams + s.up_datagrams, c.up_bytes + s.up_bytes


def lwm2m_day():
    """The make-sim LwM2M day: (wall s, device counters)."""
    from host_sim.scenarios import lwm2m_demo

    t0 = time.perf_counter()
    day = lwm2m_demo.Day(1, echo=lambda line: None).run()
    return time.perf_counter() - t0, day.net.nodes["device"].counters


def main():
    rows = []
    for period in (60000, 1000):
        wall, datagrams = network_day(period)
        rows.append("| 24 h, one report every %d s, 10 %% loss, echo | %d | %.0f ms |" % (
            period // 1000, datagrams, wall * 1000))
    for loss in (0.0, 0.3):
        wall, virtual, datagrams, nbytes = coap_requests(1000, loss)
        rows.append("| 1000 CoAP CON POSTs, %d %% loss each way: %.0f s virtual, %d B on the wire | %d | %.0f ms |"
                    % (int(loss * 100), virtual / 1000.0, nbytes, datagrams, wall * 1000))
    wall, c = lwm2m_day()
    rows.append("| 24 h LwM2M client + embedded server (make sim day): device up %d B, down %d B | %d | %.0f ms |"
                % (c.up_bytes, c.down_bytes, c.up_datagrams + c.down_datagrams, wall * 1000))
    text = "\n".join([
        "# host_sim speed",
        "",
        "Wall time to simulate (CPython, this machine).",
        "",
        "| simulated | datagrams | wall time |",
        "| --- | ---: | ---: |",
    ] + rows) + "\n"
    with open(os.path.join(HERE, "results", "sim.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
