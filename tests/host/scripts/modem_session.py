# Runs on either runtime: a cellular driver over a pseudo-terminal UART.
#   <python|micropython> modem_session.py <bg96|sim7080|sara_r4|rak3172|rn2483> <tty> <server_port>
# Sends "hello" (echoed), then "reboot-me" (the simulator reboots instead of
# answering), then "again" (echoed after the driver brought the modem back).
import sys

from lwm2m import compat
from lwm2m.port.tty import TtyUart


class Clock:
    ticks_ms = staticmethod(compat.ticks_ms)
    time = staticmethod(compat.time)
    sleep_ms = staticmethod(compat.sleep_ms)


name, tty, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
uart = TtyUart(tty)
if name == "bg96":
    from lwm2m.modem.bg96 import Bg96

    modem = Bg96(uart, Clock(), "127.0.0.1", port, apn="iot", push=False)
elif name == "sim7080":
    from lwm2m.modem.sim7080 import Sim7080

    modem = Sim7080(uart, Clock(), "127.0.0.1", port, apn="iot")
elif name == "rak3172":
    from lwm2m.modem.lorawan import Rak3172

    modem = Rak3172(uart, Clock(), 5, dr=5)
elif name == "rn2483":
    from lwm2m.modem.lorawan import Rn2483

    modem = Rn2483(uart, Clock(), 5, dr=5)
else:
    from lwm2m.modem.sara_r4 import SaraR4

    modem = SaraR4(uart, Clock(), "127.0.0.1", port, apn="iot")
modem.send(b"hello")
print("got", modem.recv(5000))
modem.send(b"reboot-me")
print("lost", modem.recv(1500))
modem.send(b"again")
print("got", modem.recv(5000))
modem.close()
print("done")
