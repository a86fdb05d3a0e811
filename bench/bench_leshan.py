"""Costs of the Leshan harness: JVM starts, registration and one REST round trip.

Writes bench/results/leshan.md. Needs java/javac/mvn (writes a note instead when they are missing).
"""

import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from host_sim import leshan  # noqa: E402  (after the path is set)


def _timed(fn):
    t = time.monotonic()
    value = fn()
    return value, (time.monotonic() - t) * 1000


def measure():
    rows = []
    jars, ms = _timed(leshan.fetch)
    rows.append(("fetch() with a warm cache", ms))
    server, ms = _timed(lambda: leshan.LeshanServer(jars).start())
    rows.append(("start the demo server (until REST answers)", ms))
    try:
        bs, ms = _timed(lambda: leshan.LeshanBsServer(jars).start())
        rows.append(("start the bootstrap server", ms))
        bs.stop()
        ops, ms = _timed(lambda: leshan.LeshanOpsServer(jars).start())
        rows.append(("start the ops server", ms))
        ops.stop()
        with server.events() as events:
            t = time.monotonic()
            client = leshan.StandInClient(jars, "bench").start(server.coap_uri)
            events.wait("REGISTRATION", timeout=30)
            rows.append(("stand-in client: JVM start to registration", (time.monotonic() - t) * 1000))
            reads = [_timed(lambda: server.rest.read("bench", "/3/0/0", fmt="TEXT"))[1] for _ in range(20)]
            rows.append(("REST read /3/0/0 round trip (median of 20)", statistics.median(reads)))
            client.stop()
    finally:
        server.stop()
    return rows


def main():
    path = os.path.join(HERE, "results", "leshan.md")
    try:
        rows = measure()
        body = "| step | ms |\n|---|---|\n" + "".join("| %s | %.0f |\n" % (name, ms) for name, ms in rows)
    except leshan.LeshanUnavailable as e:
        body = "Not measured: %s\n" % e
    with open(path, "w") as f:
        f.write("# Leshan harness costs\n\nLeshan %s demo server, loopback, this machine; "
                "`make bench` rewrites this file.\n\n%s" % (leshan.VERSION, body))
    print(body)


if __name__ == "__main__":
    main()
