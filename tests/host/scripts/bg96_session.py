# Runs on either runtime: the BG96 driver over a pseudo-terminal UART.
#   <python|micropython> bg96_session.py <tty> <server_port>
# Sends "hello" (echoed), then "reboot-me" (the simulator reboots instead of
# answering), then "again" (echoed after the driver brought the modem back).
import sys

from lwm2m import compat
from lwm2m.modem.bg96 import Bg96
from lwm2m.port.tty import TtyUart


class Clock:
    ticks_ms = staticmethod(compat.ticks_ms)
    time = staticmethod(compat.time)
    sleep_ms = staticmethod(compat.sleep_ms)


modem = Bg96(TtyUart(sys.argv[1]), Clock(), "127.0.0.1", int(sys.argv[2]), apn="iot", push=False)
modem.send(b"hello")
print("got", modem.recv(5000))
modem.send(b"reboot-me")
print("lost", modem.recv(3000), "rebooted", modem.rebooted)
modem.send(b"again")
print("got", modem.recv(5000))
modem.close()
print("done")
