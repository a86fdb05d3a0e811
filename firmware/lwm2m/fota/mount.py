# Object 5 on a running lwm2m.client.Client: one call, nothing to change in
# the client. Its step() also runs the update's step, and a firmware on trial
# is confirmed as soon as one server registration succeeds.
#
#   fu = mount(client, FileStore("/fw"), {"board": "esp32-nbiot", "reboot": machine.reset})
from lwm2m.fota.update import FirmwareUpdate


def mount(client, store, config):
    """Install object 5 into client.model (after the Device object, so /3/0/3
    reports the running slot's version) and hook it into client.step."""
    fu = FirmwareUpdate(store, client.clock, config)
    fu.install(client.model, client.endpoint)
    step = client.step
    timeout = client.next_timeout_ms

    def both():
        step()
        if fu._deadline is not None:
            for c in client.connections:
                if c.reg.registered():
                    fu.registered()
                    break
        fu.step()

    def next_timeout_ms():
        a = timeout()
        b = fu.next_timeout_ms()
        return b if a is None else a if b is None else min(a, b)

    client.step = both
    client.next_timeout_ms = next_timeout_ms
    return fu
