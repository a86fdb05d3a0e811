"""The readable record of a simulation: every datagram with its virtual time,
src -> dst, size and a one-line CoAP decode, plus notes from the scenario.

Records are kept as tuples so tests can compare runs; lines() formats them.
Pass echo=print to see lines as they happen.
"""
import collections

from host_sim.coapdump import describe

DATAGRAM, NOTE = "datagram", "note"


def _addr(addr):
    return "%s:%d" % (addr[0], addr[1])


class Trace:
    def __init__(self, clock, decode=describe, echo=None, keep=True):
        self.clock = clock
        self.decode = decode
        self.echo = echo
        self.keep = keep
        self.records = []
        # Recent (sender, bytes): the same bytes again from the same sender
        # are a retransmission or a replayed reply (CoAP MIDs differ otherwise).
        self._recent = collections.deque(maxlen=64)

    def _add(self, record):
        if self.keep:
            self.records.append(record)
        if self.echo is not None:
            self.echo(self.format(record))

    def datagram(self, src_name, src, dst_name, dst, data, tags):
        """One datagram as sent; tags say what the network did to it (LOST, DUP, ...)."""
        data = bytes(data)
        key = (src_name, data)
        if key in self._recent:
            tags = ["AGAIN"] + list(tags)
        else:
            self._recent.append(key)
        self._add((self.clock.now_ms, DATAGRAM, src_name, src, dst_name, dst, data, tuple(tags)))

    def note(self, text):
        self._add((self.clock.now_ms, NOTE, text))

    def format(self, record):
        t = "%10.3f s" % (record[0] / 1000)
        if record[1] == NOTE:
            return "%s  # %s" % (t, record[2])
        _, _, src_name, src, dst_name, dst, data, tags = record
        what = self.decode(data) if self.decode is not None else None
        line = "%s  %-8s %-21s > %-21s %-8s %5d B  %s" % (
            t, src_name, _addr(src), _addr(dst), dst_name, len(data), what or "(not CoAP)")
        if tags:
            line += "  [" + " ".join(tags) + "]"
        return line

    def lines(self):
        return [self.format(r) for r in self.records]

    def text(self):
        return "\n".join(self.lines())

    def datagrams(self):
        return [r for r in self.records if r[1] == DATAGRAM]


def totals_table(network):
    """Per-node traffic counters as aligned text lines."""
    lines = ["%-10s %8s %10s %8s %10s %6s" % ("node", "up dgr", "up bytes", "down dgr", "down bytes", "lost")]
    for name in sorted(network.nodes):
        c = network.nodes[name].counters
        lines.append("%-10s %8d %10d %8d %10d %6d" % (
            name, c.up_datagrams, c.up_bytes, c.down_datagrams, c.down_bytes, c.lost))
    return lines
