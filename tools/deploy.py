"""Put the client on a board with mpremote: exactly the .mpy files the board's
manifest lists, its board.json and the boot script main.py.

    python tools/deploy.py --board esp32_bg96 --port /dev/ttyUSB0 [--romfs] [--dry-run]

PORT is anything mpremote connects to: a serial device, or the pseudo-terminal
of a `micropython` unix process playing a board (the virtual board). The board
is not soft-reset (`resume`), so the unix port, which has none, works too.
--romfs deploys the modules as a ROMFS image instead (`mpremote romfs deploy`,
on ports that have one), so they run from flash without being loaded into RAM.
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boards  # noqa: E402

ROOT = boards.ROOT


def stage(name, mpy_dir=os.path.join(ROOT, "build", "mpy"), config=None):
    """build/boards/<name>/: the board's files as they will sit on its flash.
    config: a board.json to use instead of the board's own (a local server, a test modem)."""
    cfg = boards.load(name, config)
    out = os.path.join(ROOT, "build", "boards", name)
    shutil.rmtree(out, ignore_errors=True)
    for rel in boards.modules(cfg):
        src = os.path.join(mpy_dir, rel[:-3] + ".mpy")
        if not os.path.exists(src):
            raise SystemExit("deploy: %s missing: run make mpy" % os.path.relpath(src, ROOT))
        dst = os.path.join(out, rel[:-3] + ".mpy")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy(src, dst)
    shutil.copy(config or os.path.join(ROOT, "boards", name, "board.json"), os.path.join(out, "board.json"))
    shutil.copy(os.path.join(ROOT, "firmware", "main.py"), os.path.join(out, "main.py"))
    return out


def commands(staged, port, romfs=False, mpremote="mpremote"):
    """The mpremote command lines that copy a staged board onto PORT."""
    base = [mpremote, "connect", port, "resume"]
    files = []
    for name in ("board.json", "main.py"):
        files += ["fs", "cp", os.path.join(staged, name), ":" + name, "+"]
    if romfs:
        return [base + ["romfs", "deploy", os.path.join(staged, "lwm2m")], base + files[:-1]]
    return [base + ["fs", "cp", "-r", os.path.join(staged, "lwm2m"), ":./", "+"] + files[:-1]]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", required=True, choices=boards.names())
    ap.add_argument("--port", required=True)
    ap.add_argument("--config", help="a board.json to deploy instead of the board's own")
    ap.add_argument("--romfs", action="store_true")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    staged = stage(args.board, config=args.config)
    mpremote = os.path.join(os.path.dirname(sys.executable), "mpremote")
    for cmd in commands(staged, args.port, args.romfs, mpremote if os.path.exists(mpremote) else "mpremote"):
        print(" ".join(cmd))
        if not args.dry_run:
            subprocess.run(cmd, check=True, timeout=300)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
