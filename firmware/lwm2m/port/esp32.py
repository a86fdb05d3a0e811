# ESP32 boards: machine.UART on the pins board.json names for the modem.
import machine

from lwm2m.port.mcu import pwrkey, unique_id, reboot  # noqa: F401 (the port interface)


def uart(modem):
    return machine.UART(modem["uart"], baudrate=modem.get("baud", 115200), tx=modem["tx"], rx=modem["rx"],
                        timeout=0, rxbuf=2048)
