# A board on the MicroPython unix port for the firmware-update tests: its
# flash is the folder given, main.py's boot stub chooses the slot (and
# imports the firmware from it), the client runs with object 5 mounted, and
# the reboot hook ends the process with status 3 (the test starts it again).
#   micropython fota_device.py <flash folder> <server uri> <endpoint>
import sys

root, uri, ep = sys.argv[1], sys.argv[2], sys.argv[3]

from lwm2m.fota.store import FileStore
from lwm2m.fota import slots

slot = slots.boot(FileStore(root))

import lwm2m.client.client
from lwm2m.clock import SystemClock
from lwm2m.link.udp import UdpLink
from lwm2m.model import Model
from lwm2m.client.client import Client
from lwm2m.client.servers import provision
from lwm2m.objects.std_device import Device
from lwm2m.fota.store import FileStore as Store
from lwm2m.fota.mount import mount

print("# booted slot %r, client from %s" % (slot, lwm2m.client.client.__file__))


def reboot():
    print("# reboot")
    sys.exit(3)


model = Model()
Device({"manufacturer": "ACME", "model": "unix", "serial": "1", "firmware": "1.0.0"}).install(model)
provision(model, uri, ssid=1, lifetime=60)
client = Client(model, UdpLink("0.0.0.0", 0), SystemClock(), {"ep": ep, "default_format": 110},
                trace=lambda t: print("#", t))
fu = mount(client, Store(root), {"board": "unix", "version": "1.0.0", "reboot": reboot, "deadline": 30})
client.start()
while True:
    client.poll(50)
