# The unix port as a board: a serial device file (or a pseudo-terminal playing
# a modem) as the UART, no PWRKEY, and a reboot that ends the process.
import sys


def uart(modem):
    from lwm2m.port.tty import TtyUart  # chosen by board.json

    return TtyUart(modem["tty"])


def pwrkey(modem):
    return None


def unique_id():
    return "unix"


def reboot():
    print("# reboot: the unix board exits")
    sys.exit(0)


def light_sleep(ms):
    # no low-power state on the unix port: a plain sleep
    import time

    time.sleep_ms(ms) if hasattr(time, "sleep_ms") else time.sleep(ms / 1000)
