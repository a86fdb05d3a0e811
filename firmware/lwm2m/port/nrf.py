# nRF52840 boards: the nRF port's machine.UART (pins fixed by the board
# definition). The nRF port has no `tls`: these boards talk NoSec, or DTLS
# inside the modem.
import machine

from lwm2m.port.mcu import pwrkey, unique_id, reboot  # noqa: F401 (the port interface)


def uart(modem):
    return machine.UART(modem["uart"], baudrate=modem.get("baud", 115200), timeout=0)
