"""Firmware update (object 5): pull download rate over real UDP loopback, and
the device's heap while downloading on MicroPython for two package sizes
(it must not grow with the package: blocks go to flash one at a time).

Writes bench/results/fota.md. Each figure is one run of
bench/scripts/fota_pull.py (repository Endpoint and device in one process,
package stored with FileStore in a temp folder, then checked and unpacked).
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCRIPT = os.path.join(HERE, "scripts", "fota_pull.py")
MICROPYTHON = os.path.join(ROOT, ".venv", "bin", "micropython")


def _run(runtime, size, mtu, heap=False):
    d = tempfile.mkdtemp()
    try:
        port = str(random.randint(20000, 60000))
        if runtime == "micropython":
            cmd = [MICROPYTHON, "-X", "heapsize=2M", SCRIPT, os.path.join(ROOT, "build", "mpy")]
        else:
            cmd = [sys.executable, SCRIPT, os.path.join(ROOT, "firmware")]
        cmd += [d, str(size), str(mtu), port] + (["heap"] if heap else [])
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=300).stdout.split()
        total, blocks, secs, grow, state, result = int(out[0]), int(out[1]), float(out[2]), int(out[3]), out[4], out[5]
        assert state == "2" and result == "0", out
        return total, blocks, secs, grow
    finally:
        shutil.rmtree(d)


def _costs():
    mpy = os.path.join(ROOT, "build", "mpy")
    fota = os.path.join(mpy, "lwm2m", "fota")
    out = ["", "## Code size and costs (MicroPython unix port)", "",
           "| module | .mpy bytes |", "|---|---|"]
    total = 0
    for n in sorted(os.listdir(fota)):
        size = os.path.getsize(os.path.join(fota, n))
        out.append("| lwm2m/fota/%s | %d |" % (n, size))
        if n not in ("build.mpy", "coaps.mpy"):
            total += size
    out.append("| on a board (all but build, coaps) | %d |" % total)
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import mkpackage

    d = tempfile.mkdtemp()
    try:
        pkg = os.path.join(d, "p.pkg")
        with open(pkg, "wb") as f:
            f.write(mkpackage.make(mpy, "bench", "2"))
        os.mkdir(os.path.join(d, "flash"))
        res = subprocess.run([MICROPYTHON, "-X", "heapsize=2M", os.path.join(HERE, "scripts", "fota_costs.py"), mpy,
                              os.path.join(d, "flash"), pkg], capture_output=True, text=True, timeout=300).stdout
    finally:
        shutil.rmtree(d)
    got = {}
    for line in res.splitlines():
        parts = line.split()
        got[parts[0]] = parts[1:]
    out += ["", "| cost | figure |", "|---|---|",
            "| heap after importing object 5 (update, mount, package, slots, sig, store, uri) on top of the client's modules | %s B |" % got["import_heap"][0],
            "| ECDSA P-256 signature check (pure Python, this PC) | %s ms |" % got["ecdsa_ms"][0],
            "| HMAC-SHA256 of the header digest | %s ms |" % got["hmac_ms"][0],
            "| check and unpack build/mpy as a package (%s files, %s B) to a folder | %s ms |" % (
                got["unpack_ms"][2], got["unpack_ms"][4], got["unpack_ms"][0])]
    return out


def main():
    lines = ["# Firmware update: figures", "",
             "Pull download of one package over UDP loopback (127.0.0.1), repository and device",
             "endpoints in one process, package written block by block to a FileStore folder,",
             "then checked (SHA-256) and unpacked. `make bench` regenerates this file.", "",
             "## Download rate", "",
             "| runtime | package | block | blocks | seconds | blocks/s |", "|---|---|---|---|---|---|"]
    runtimes = ["cpython"] + (["micropython"] if os.path.exists(MICROPYTHON) else [])
    for rt in runtimes:
        for mtu, block in ((1152, 1024), (200, 128)):
            total, blocks, secs, _ = _run(rt, 200000, mtu)
            rate = blocks / secs if secs else float("inf")
            lines.append("| %s | %d B | %d B | %d | %.3f | %.0f |" % (rt, total, block, blocks, secs, rate))
    if "micropython" in runtimes:
        lines += ["", "## Heap while downloading (MicroPython unix port)", "",
                  "Live heap (gc.mem_alloc() after gc.collect()) sampled at every block, largest",
                  "growth over the heap before the download started (the repository's copy of the",
                  "package is allocated before that baseline; the growth includes the repository",
                  "endpoint's transfer state, as both ends share the process):", "",
                  "| package | block | blocks | heap growth |", "|---|---|---|---|"]
        for size in (50000, 500000):
            total, blocks, secs, grow = _run("micropython", size, 1152, heap=True)
            lines.append("| %d B | 1024 B | %d | %d B |" % (total, blocks, grow))
    if "micropython" in runtimes:
        lines += _costs()
    path = os.path.join(HERE, "results", "fota.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    main()
