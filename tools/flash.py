"""Write a MicroPython firmware image to a board.

    python tools/flash.py --board esp32_bg96 --port /dev/ttyUSB0 --firmware build.bin [--dry-run]

ESP32 boards: esptool write-flash at the chip's offset from board.json
(0x1000 for the ESP32, 0x0 for the S3/C3). nRF52840 boards have no serial
bootloader esptool speaks: the command printed is nrfjprog's (J-Link / the
nRF52840 DK); a board with the Adafruit UF2 bootloader takes the .uf2 file
copied onto its USB drive instead, and pyocd (`pyocd flash -t nrf52840 FILE`)
works with any CMSIS-DAP probe.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boards  # noqa: E402


def command(cfg, port, firmware, esptool="esptool"):
    chip = cfg.get("chip", "")
    if chip.startswith("esp32"):
        return [esptool, "--chip", chip, "--port", port, "--baud", "460800",
                "write-flash", "-z", cfg.get("flash_offset", "0x1000"), firmware]
    if chip.startswith("nrf52"):
        return ["nrfjprog", "--family", "NRF52", "--program", firmware, "--sectorerase", "--verify", "--reset"]
    raise SystemExit("flash: board %s has no chip I know how to flash (%r)" % (cfg["board"], chip))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True, choices=boards.names())
    ap.add_argument("--port", required=True)
    ap.add_argument("--firmware", required=True)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    if not args.dry_run and not os.path.exists(args.firmware):
        raise SystemExit("flash: no such firmware image: %s" % args.firmware)
    esptool = os.path.join(os.path.dirname(sys.executable), "esptool")
    cmd = command(boards.load(args.board), args.port, args.firmware, esptool if os.path.exists(esptool) else "esptool")
    print(" ".join(cmd))
    if not args.dry_run:
        subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
