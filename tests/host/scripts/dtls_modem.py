# Runs on either runtime: CoAP over DTLS over a cellular driver (BG96) whose
# UART is a pseudo-terminal to host_sim's modem simulator, its radio real UDP
# on loopback to libcoap's coap-server-openssl.
#   <python|micropython> dtls_modem.py <tty> <port> <identity> <key hex>
import sys
import binascii

from lwm2m import compat
from lwm2m.port.tty import TtyUart
from lwm2m.modem.bg96 import Bg96
from lwm2m.link.dtls import DtlsLink
from dtls_scenarios import get, answer


class Clock:
    ticks_ms = staticmethod(compat.ticks_ms)
    time = staticmethod(compat.time)
    sleep_ms = staticmethod(compat.sleep_ms)


tty, port, identity, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], binascii.unhexlify(sys.argv[4])
modem = Bg96(TtyUart(tty), Clock(), "127.0.0.1", port, apn="iot", push=False)
link = DtlsLink(modem, None, identity, key, handshake_timeout_ms=20000)
link.connect()
print("handshakes", link.handshakes, "mtu", link.mtu)
link.send(get(0x5001), None)
print(answer(link.recv(5000), 0x5001))
link.close()
print("done")
