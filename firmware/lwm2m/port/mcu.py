# What every microcontroller port shares (ESP32, nRF52840): the modem's PWRKEY
# pulse, the chip's unique id, reset. Only the port modules touch `machine`.
import machine
import time


def pwrkey(modem):
    if "pwrkey" not in modem:
        return None
    pin = machine.Pin(modem["pwrkey"], machine.Pin.OUT, value=0)

    def pulse():
        # Quectel/SIMCom: PWRKEY low for 500-1000 ms turns the module on
        # (driven through the usual inverting transistor, hence high here).
        pin.value(1)
        time.sleep_ms(750)
        pin.value(0)

    return pulse


def unique_id():
    return "".join("%02x" % b for b in machine.unique_id())


def reboot():
    machine.reset()


def light_sleep(ms):
    machine.lightsleep(ms)


def deep_sleep(ms):
    # ESP32: a reset on wake; the client is restored from lwm2m.store at boot
    machine.deepsleep(ms)
