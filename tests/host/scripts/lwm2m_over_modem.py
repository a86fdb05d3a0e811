# Runs on either runtime: the firmware as lwm2m.app builds it from a board
# configuration, its modem a simulator on a pseudo-terminal.
#   <python|micropython> lwm2m_over_modem.py <bg96|sim7080|sara_r4|rak3172|rn2483> <tty> <server_port> <endpoint>
# The temperature rises 0.1 every 2 s; after the first successful Update the
# device de-registers and exits (as a board would before switching off).
import sys

from lwm2m import app
from lwm2m.port import unix as board

kind, tty, server_port, ep = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
cfg = {"board": "unix", "endpoint": ep, "server": "coap://127.0.0.1:%d" % server_port, "lifetime": 60,
       "binding": "U", "modem": {"type": kind, "tty": tty, "apn": "iot", "push": True}}
if kind in ("rak3172", "rn2483"):  # the network server on the far side of the pty knows the LwM2M server
    cfg.update(server="lorawan://5", queue_mode=True, modem={"type": kind, "tty": tty, "dr": 5})


def setup(model):
    model.add(3303, 0, {5700: 21.5, 5701: "Cel"})


events = []


def trace(text):
    print("#", text)
    events.append(text)


client, model = app.build(cfg, board, setup=setup, trace=trace)
client.start()
n = 0
while not [e for e in events if e.startswith("rd/") and e.endswith("-> 2.04")]:
    client.poll(200)
    n += 1
    if n % 10 == 0:
        model.set((3303, 0, 5700), 21.5 + n // 10 / 10)
client.stop(5000)
print("stopped")
