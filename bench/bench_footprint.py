"""Footprint against the C clients (issue 4): heap of a reference session and
.mpy size of the core profile and the full client.

Writes bench/results/footprint.md. The session is bench/scripts/footprint_session.py
(register, reads, write, three observations, 20 notifications, Update,
De-register; the LwM2M server is a CoAP Endpoint in the same process over an
in-memory link). For each build (mpy-cross default, and -O3: no line numbers,
no asserts) and each way of loading the code (plain .mpy files read into RAM;
a ROMFS image from `mpremote romfs build` mounted with vfs.VfsRom, from which
bytecode runs in place), the smallest `-X heapsize` the session passes with is
found by bisection on the 64-bit unix port.

The unix port has no ROMFS partition: the image is read into a bytearray on
the heap first. What that costs is measured the same way (a run that only
mounts the image) and taken off, so the ROMFS figure is the session's own.
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIRMWARE = os.path.join(ROOT, "firmware")
BIN = os.path.join(ROOT, ".venv", "bin")
SESSION = os.path.join(HERE, "scripts", "footprint_session.py")
STEP = 256  # bisection resolution, bytes

sys.path.insert(0, os.path.join(ROOT, "tools"))
import mpy_profile as prof  # noqa: E402
from build_mpy import source_name  # noqa: E402

# register, read, write, execute, observe; text, TLV, SenML CBOR; NoSec UDP. Bootstrap
# and Access Control (several servers; Create, Delete) are outside it: their modules
# are imported lazily, only when those features run (`# feature:` tags, tools/mpy_profile.py);
# so are the public names of the CoAP and model numbers (lwm2m.coap.codes,
# lwm2m.model.flags), which the firmware's core never asks for, the link-format
# parser (lwm2m.codec.linkparse: a client only writes link format) and the
# operations outside the core (lwm2m.client.ops: Composite, Create, Discover).
CORE = (["lwm2m.client.client", "lwm2m.model", "lwm2m.link.udp"], [0, 11542, 112], ["bootstrap", "acl", "names", "linkparse", "ops"])
FULL = (["lwm2m.app", "lwm2m.client.client", "lwm2m.link.udp", "lwm2m.link.dtls"],
        [0, 42, 11542, 112, 110, 11544, 11543, 40], [])


def mpy_cross(*args):
    exe = os.path.join(BIN, "mpy-cross")
    return subprocess.run([exe if os.path.exists(exe) else "mpy-cross"] + list(args), capture_output=True,
                          text=True, check=True)


def compile_tree(out, opt):
    """firmware/lwm2m and the session script as .mpy under out/; opt: mpy-cross flags."""
    for dirpath, _, files in os.walk(os.path.join(FIRMWARE, "lwm2m")):
        for name in files:
            if name.endswith(".py"):
                src = os.path.join(dirpath, name)
                rel = os.path.relpath(src, FIRMWARE)
                target = os.path.join(out, rel[:-3] + ".mpy")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                mpy_cross(*(opt + ["-o", target, "-s", source_name(rel), src]))
    mpy_cross(*(["-o", os.path.join(out, "footprint_session.mpy"), "-s", "footprint_session.py", SESSION]))


def romfs(tree, image):
    subprocess.run([os.path.join(BIN, "mpremote"), "romfs", "--no-mpy", "-o", image, "build", tree],
                   capture_output=True, check=True)


def mount(image):
    return ("import vfs\nb=bytearray(%d)\nf=open(%r,'rb')\nf.readinto(b)\nf.close()\n"
            "vfs.mount(vfs.VfsRom(b),'/rom')\nsys.path.insert(0,'/rom')\n" % (os.path.getsize(image), image))


def runner(tree, image, what):
    """Source of the -c program: put the code on sys.path, then run `what`."""
    head = "import sys\n" + (mount(image) if image else "sys.path.insert(0,%r)\n" % tree)
    return head + what


def run(code, heap, args=()):
    p = subprocess.run([os.path.join(BIN, "micropython"), "-X", "heapsize=%d" % heap, "-c", code] + list(args),
                       capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, MICROPYPATH=""))
    return p.returncode == 0 and p.stdout.rstrip().endswith("OK"), p.stdout


def smallest(code, args=(), lo=2048, hi=1 << 20):
    """The smallest heap the run passes with, and with every size tried above
    it up to +2 KB: passing is not quite monotonic in the heap size (qstr pools
    and fragmentation fall differently), so a lone lucky size does not count."""
    ok, _ = run(code, hi, args)
    if not ok:
        raise SystemExit("footprint: the session fails even with %d bytes of heap" % hi)
    while True:
        while hi - lo > STEP:
            mid = (lo + hi) // 2 // 64 * 64
            if run(code, mid, args)[0]:
                hi = mid
            else:
                lo = mid
        failed = [n for n in range(hi + STEP, hi + 2048 + 1, STEP) if not run(code, n, args)[0]]
        if not failed:
            return hi
        lo, hi = failed[-1], failed[-1] + 2048


def figures(out):
    """step -> bytes from the session's output."""
    d = {}
    for line in out.split("\n"):
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            d[parts[0]] = int(parts[1])
            if len(parts) == 4:
                d[parts[2]] = int(parts[3])
    return d


def measure(tree, image, args=()):
    code = runner(tree, image, "import footprint_session\n")
    need = smallest(code, args)
    if image:
        need -= image_cost(tree, image)
    ok, out = run(code, 4 << 20, args)
    return need, figures(out)


def image_cost(tree, image):
    """Heap the mounted image's bytearray takes (what a board's ROMFS partition saves)."""
    return smallest(runner(tree, image, "print('OK')\n")) - smallest("print('OK')\n")


def import_order(entries, formats, without):
    """The core profile's modules, each after what it imports (so a module's
    figure is its own), parents before children."""
    order, seen = [], set()

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        parts = name.split(".")
        for i in range(1, len(parts)):
            visit(".".join(parts[:i]))
        path = prof.module_file(name)
        for dep in prof.imports_of(path, without) if path else ():  # "": a package without __init__.py
            visit(dep)
        order.append(name)

    for f in prof.closure(entries, formats, without):
        visit(f[:-3].replace("/", ".").replace(".__init__", ""))
    return order


# Runs inside MicroPython: import each module in turn; heap retained, qstrs
# interned and qstr pool bytes for each, and which other modules came along.
IMPORTS = """import gc, micropython
for n in %r:
    if n in sys.modules:
        continue
    k = set(sys.modules)
    gc.collect(); a = gc.mem_alloc()
    __import__(n)
    gc.collect(); print('mod', n, gc.mem_alloc() - a, '+'.join([x for x in sys.modules if x not in k and x != n]))
    micropython.qstr_info()
print('OK')
"""


def per_import(tree, image):
    code = runner(tree, image, IMPORTS % (import_order(*CORE),))
    ok, out = run(code, 4 << 20)
    rows, qstrs = [], []
    for line in out.split("\n"):
        if line.startswith("mod "):
            parts = line.split()
            rows.append([parts[1], int(parts[2]), parts[3] if len(parts) > 3 else ""])
        elif line.startswith("qstr pool:"):
            f = dict(kv.split("=") for kv in line.split(":")[1].replace(",", "").split())
            # string data of a qstr loaded from ROMFS stays in the image: not heap
            qstrs.append((int(f["n_qstr"]), int(f["n_total_bytes"]) - int(f["n_str_data_bytes"])))
    for i, row in enumerate(rows):
        before = qstrs[i - 1] if i else (0, 0)
        row += [qstrs[i][0] - before[0], qstrs[i][1] - before[1]]
    return rows, qstrs[-1] if qstrs else (0, 0)


def sizes(tree):
    rows = []
    for label, profile in (("core profile", CORE), ("full client", FULL)):
        files = prof.closure(*profile)
        rows.append((label, len(files), prof.mpy_size(files, tree)))
    return rows


def modules(tree, files):
    return sorted(((f, os.path.getsize(os.path.join(tree, f[:-3] + ".mpy"))) for f in files),
                  key=lambda r: -r[1])


def main():
    tmp = tempfile.mkdtemp()
    try:
        trees, result = {}, {}
        for label, opt in (("default", []), ("-O3", ["-O3"])):
            tree = os.path.join(tmp, label, "tree")
            compile_tree(tree, opt)
            image = os.path.join(tmp, label, "lwm2m.romfs")
            romfs(tree, image)
            trees[label] = tree
            result[label] = {
                "sizes": sizes(tree),
                "plain": measure(tree, None),
                "romfs": measure(tree, image),
                "plain_all": measure(tree, None, ["all"]),
                "romfs_all": measure(tree, image, ["all"]),
            }
            if not opt:
                result["image"] = (os.path.getsize(image), image_cost(tree, image), smallest("print('OK')\n"))
                result["imports"] = per_import(tree, image)
                result["obs"] = figures(run(runner(tree, image, "import footprint_session\n"), 4 << 20, ["obs"])[1])
        per_module = modules(trees["default"], prof.closure(*CORE))
        per_module_o3 = dict(modules(trees["-O3"], prof.closure(*CORE)))
    finally:
        shutil.rmtree(tmp)
    write(result, per_module, per_module_o3)


def defs(name):
    if not prof.module_file(name):
        return 0  # a package without __init__.py
    path = os.path.join(FIRMWARE, prof.module_file(name))
    with open(path) as f:
        return sum(1 for line in f if line.lstrip().startswith(("def ", "class ")))


def kb(n):
    return "%.1f KB" % (n / 1024.0)


def write(r, per_module, per_module_o3):
    d, o = r["default"], r["-O3"]
    lines = [
        "# Footprint",
        "",
        "Generated by bench/bench_footprint.py (MicroPython unix port, 64-bit; a 32-bit board",
        "needs less: pointers and object headers are half the size). Target (issue 4): the",
        "reference session under 16 KB of heap with the code in ROMFS; a core profile under",
        "20 KB of .mpy. The C reference, Anjay Lite's minimal build: 33.2 kB flash, 7.8 kB static RAM.",
        "",
        "## Reference session: smallest `-X heapsize` that passes",
        "",
        "Register; read /3/0/0 in text, /3/0 in TLV and SenML CBOR; write /3/0/13; observe",
        "/3303/0/5700, /3/0/9, /3/0/13; 20 notifications; Update (Execute /1/0/8); De-register.",
        "The LwM2M server is a CoAP Endpoint in the same process (its ~2 KB count).",
        "\"+ all formats\" also reads /3/0 in SenML JSON, LwM2M CBOR and LwM2M JSON.",
        "Bisection to %d B; the figure also passes at every %d B step up to 2 KB above it." % (STEP, STEP),
        "ROMFS: the image's own bytearray (the unix port has no ROMFS partition) is measured",
        "separately and taken off: the image (all of lwm2m/) is %d B, it takes %d B of heap size." % r["image"][:2],
        "The interpreter alone starts with `-X heapsize=%d` (included in the figures)." % r["image"][2],
        "",
        "| code loaded as | mpy-cross | mpy-cross -O3 |",
        "|---|---|---|",
        "| plain .mpy files (read into RAM) | %s | %s |" % (kb(d["plain"][0]), kb(o["plain"][0])),
        "| ROMFS image (VfsRom, in place) | %s | %s |" % (kb(d["romfs"][0]), kb(o["romfs"][0])),
        "| plain .mpy, + all formats | %s | %s |" % (kb(d["plain_all"][0]), kb(o["plain_all"][0])),
        "| ROMFS, + all formats | %s | %s |" % (kb(d["romfs_all"][0]), kb(o["romfs_all"][0])),
        "",
        "## Heap during the session (gc.mem_alloc() after gc.collect(), from the session's start)",
        "",
        "With a 4 MB heap, so nothing is collected early. `mem_peak` is micropython.mem_peak():",
        "with that heap it counts garbage not yet collected (and, ROMFS, the image's bytearray),",
        "so it is an upper bound; the smallest heap above is what the session needs.",
        "",
        "| step | plain .mpy | ROMFS | ROMFS -O3 |",
        "|---|---|---|---|",
    ]
    keys = ("engine+model", "client", "device", "registered", "reads", "write", "observing", "notified",
            "updated", "deregistered", "mem_peak", "mem_alloc")
    for k in keys:
        lines.append("| %s | %s | %s | %s |" % (k, d["plain"][1].get(k, "-"), d["romfs"][1].get(k, "-"),
                                              o["romfs"][1].get(k, "-")))
    obs = r["obs"]
    lines += [
        "",
        "Each further observation of a single resource (four more, after 20 reads have filled",
        "the CoAP de-duplication cache; ROMFS): **%d B** retained."
        % ((obs["obs_after"] - obs["obs_before"]) // 4),
    ]
    lines += [
        "",
        "## Flash: .mpy size of a profile (tools/mpy_profile.py closure)",
        "",
        "Core profile: lwm2m.client.client, lwm2m.model and lwm2m.link.udp, formats text, TLV, SenML CBOR",
        "(register, read, write, execute, observe; NoSec UDP), without the modules only",
        "bootstrap, Access Control, Composite/Create/Discover, the link-format parser and the",
        "public names of the CoAP and model numbers import (lazily, when those features run;",
        "the core never asks for the names nor parses link format).",
        "Full client: also lwm2m.app, DTLS, every content format and all of those.",
        "",
        "| profile | files | mpy-cross | mpy-cross -O3 |",
        "|---|---|---|---|",
    ]
    for (label, n, a), (_, _, b) in zip(d["sizes"], o["sizes"]):
        lines.append("| %s | %d | %d | %d |" % (label, n, a, b))
    lines += [
        "",
        "### Core profile by module (bytes of .mpy)",
        "",
        "| module | mpy-cross | -O3 |",
        "|---|---|---|",
    ]
    for f, n in per_module:
        lines.append("| %s | %d | %d |" % (f, n, per_module_o3[f]))
    rows, (nq, qbytes) = r["imports"]
    lines += [
        "",
        "## Heap retained by importing each core module (ROMFS, mpy-cross default)",
        "",
        "Each module imported after the ones it imports, so a row is that module's own cost",
        "(a package's row includes the submodules its __init__ imports, listed). qstrs: names",
        "the module added to the interned-string pools. def+class: functions and classes in",
        "its source. qstr B: growth of the pools on the heap (micropython.qstr_info() n_total_bytes",
        "less n_str_data_bytes: from ROMFS a qstr's text stays in the image, only its hash, length",
        "and pointer take heap); pools grow in chunks, so a row that opens a new pool carries its size.",
        "After all of them: %d qstrs, %d bytes of qstr pools on the heap." % (nq, qbytes),
        "",
        "| module | heap B | qstrs | qstr B | def+class | also loaded |",
        "|---|---|---|---|---|---|",
    ]
    for name, n, extra, q, qb in sorted(rows, key=lambda row: -row[1]):
        lines.append("| %s | %d | %d | %d | %d | %s |" % (name, n, q, qb, defs(name), extra.replace("lwm2m.", "")))
    lines.append("| **total** | %d | | | |" % sum(row[1] for row in rows))
    lines.append("")
    with open(os.path.join(HERE, "results", "footprint.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
