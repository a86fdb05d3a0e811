# `make sim`'s LwM2M day: the firmware client and the embedded server on the
# simulated network and one virtual clock.
import re

import pytest

from host_sim.scenarios import lwm2m_demo


def day(seed=1, **kw):
    return lwm2m_demo.Day(seed, echo=lambda line: None, **kw).run()


def test_a_day_registers_updates_on_time_and_deregisters():
    d = day()
    assert d.sim.now_ms >= 24 * 3600 * 1000
    # Lifetime 3600 s, updates 93 s ahead of it: 24 in a day.
    assert d.updates == 24
    assert any("-> <Result 2.04" in line for line in d.log)  # the write
    text = d.trace.text()
    assert "CON DELETE" in text and "ACK 2.02" in text
    assert "/3303/0/5700?pmax=7200&pmin=600" in text


def test_notifications_reach_the_server_without_nat_rebinding():
    d = day(nat_idle_ms=None)
    assert d.notifications_sent >= 40
    assert d.notifications >= d.notifications_sent * 0.8  # 5 % loss, NON


def test_notifications_reach_the_server_through_nat_rebinding():
    d = day()
    assert d.notifications >= d.notifications_sent * 0.8


def test_same_seed_same_day():
    # The server's registration id comes from secrets.token_hex: mask it.
    def lines(d):
        return [re.sub(r"rd/[0-9a-f]{8}", "rd/ID", line) for line in d.trace.lines()]

    assert lines(day(3)) == lines(day(3))


def test_client_offline_across_an_update_deadline_sleeps():
    """Offline for two lifetimes (3600 s): the client does not spin, the
    server lets the registration expire, and back online the Update gets 4.04
    and the client registers again (int-105's path)."""
    import asyncio

    from host_sim.aio import run_virtual

    d = lwm2m_demo.Day(1, echo=lambda line: None, nat_idle_ms=None)

    async def script():
        await d.server.start()
        d.client.start()
        await d.server.events.next("registered", lwm2m_demo.EP, 600)
        d.client.set_online(False)  # the modem lost the network
        await asyncio.sleep(2 * 3600)  # the Update falls due meanwhile
        await d.server.events.next("expired", lwm2m_demo.EP, 1)
        d.client.set_online(True)
        await d.server.events.next("registered", lwm2m_demo.EP, 600)

    run_virtual(d.sim, script())
