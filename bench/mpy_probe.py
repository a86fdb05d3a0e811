"""What the MicroPython heap benches share (not a bench itself: `make bench`
runs bench_*.py only): .mpy sizes from build/mpy, a ROMFS image of it, and a
probe script run on the unix port that prints one `name bytes` line per step.
Needs `make mpy` first (`make bench` does it)."""
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MPY = os.path.join(ROOT, "build", "mpy")
BIN = os.path.join(ROOT, ".venv", "bin")
MICROPYTHON = os.path.join(BIN, "micropython")

# The head of every probe: argv[1] is a ROMFS image of build/mpy (or '-' for
# the plain .mpy files, loaded into RAM), argv[2] build/mpy. step(name, fn)
# prints the heap that what fn() returns keeps, after gc.collect().
PRELUDE = """
import gc, sys
if sys.argv[1] != '-':
    import vfs
    with open(sys.argv[1], 'rb') as f:
        img = f.read()
    vfs.mount(vfs.VfsRom(img), '/rom')
    sys.path.insert(0, '/rom')
else:
    sys.path.insert(0, sys.argv[2])
def step(name, fn):
    gc.collect(); a = gc.mem_alloc()
    keep = fn()
    gc.collect(); print(name, gc.mem_alloc() - a)
    return keep
"""


def mpy_sizes(rels):
    """[("lwm2m/<rel>.mpy", bytes)] for each rel under build/mpy/lwm2m, then ("total", sum)."""
    rows, total = [], 0
    for rel in rels:
        n = os.path.getsize(os.path.join(MPY, "lwm2m", rel + ".mpy"))
        total += n
        rows.append(("lwm2m/%s.mpy" % rel, n))
    rows.append(("total", total))
    return rows


def run_probe(body, image="-"):
    """Run PRELUDE + body on MicroPython; [(name, bytes)] in the order printed.
    RuntimeError (with the output) when the probe fails."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(PRELUDE + body)
    try:
        proc = subprocess.run([MICROPYTHON, "-X", "heapsize=4M", f.name, image, MPY],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
    finally:
        os.unlink(f.name)
    if proc.returncode:
        raise RuntimeError(proc.stdout + proc.stderr)
    return [(k, int(v)) for k, v in (line.rsplit(" ", 1) for line in proc.stdout.split("\n") if line.strip())]


def romfs_image(tmp):
    """A ROMFS image (in folder tmp) of only the package, as it would be
    deployed: lwm2m/ with its .mpy files."""
    src = os.path.join(tmp, "rom")
    shutil.copytree(os.path.join(MPY, "lwm2m"), os.path.join(src, "lwm2m"))
    image = os.path.join(tmp, "lwm2m.romfs")
    subprocess.run([os.path.join(BIN, "mpremote"), "romfs", "--no-mpy", "-o", image, "build", src],
                   capture_output=True, check=True)
    return image
