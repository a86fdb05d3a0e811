"""Which firmware modules a board needs: the import closure of its entry
modules plus the codec modules of the content formats it speaks (codecs are
imported lazily by content format, so no import statement names them).

    python tools/mpy_profile.py lwm2m.client.client lwm2m.modem.bg96 --formats 0,11542,112

prints the files (relative to firmware/) and their total .mpy size when build/mpy exists.

--without bootstrap,acl leaves out the modules that only a feature outside the
profile imports: a lazy import tagged `# feature: NAME` (the module is loaded
only when that feature runs) is not followed when NAME is left out. Untagged
imports, lazy or not, always count: a board that runs the code path needs them.
"""
import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(ROOT, "firmware")
_IMPORT = re.compile(r"^\s*(?:from\s+(lwm2m(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n#]+)|import\s+(lwm2m(?:\.\w+)*))", re.M)


def module_file(name):
    """firmware-relative path of a module or package name, or None."""
    base = os.path.join(FIRMWARE, *name.split("."))
    if os.path.isfile(base + ".py"):
        return os.path.relpath(base + ".py", FIRMWARE)
    if os.path.isfile(os.path.join(base, "__init__.py")):
        return os.path.relpath(os.path.join(base, "__init__.py"), FIRMWARE)
    if os.path.isdir(base):
        return ""  # a package without __init__.py (namespace package): no file to ship
    return None


_CHOSEN = "# chosen by board.json"
_FEATURE = re.compile(r"#\s*feature:\s*(\w+)")


def _kept(line, without):
    if line.rstrip().endswith(_CHOSEN):
        return False
    m = _FEATURE.search(line)
    return not (m and m.group(1) in without)


def imports_of(path, without=()):
    """Module names a file imports at top level or inside functions (lazy imports count:
    a board that runs the code path needs the module), except imports marked
    `# chosen by board.json` (those a board names itself: its modem driver) and
    imports marked `# feature: NAME` for a NAME in without."""
    with open(os.path.join(FIRMWARE, path)) as f:
        text = "\n".join(line for line in f.read().split("\n") if _kept(line, without))
    names = []
    for m in _IMPORT.finditer(text):
        if m.group(3):
            names.append(m.group(3))
            continue
        pkg = m.group(1)
        names.append(pkg)
        for item in re.split(r"[\s,()]+", m.group(2)):
            word = item.split(" as ")[0].strip()
            if word and module_file(pkg + "." + word):
                names.append(pkg + "." + word)  # `from lwm2m.codec import cbor` imports a module
    return names


def codec_modules(formats):
    sys.path.insert(0, FIRMWARE)
    from lwm2m.codec import module_name

    names = []
    for cf in formats:
        name = module_name(cf)
        if name is None:
            raise SystemExit("profile: no codec for content format %d" % cf)
        names.append(name)
    return names


def closure(entries, formats=(), without=()):
    """Sorted firmware-relative files: entries, what they import, and the parents' __init__;
    without: features whose tagged lazy imports are not followed."""
    todo = list(entries) + codec_modules(formats)
    files = set()
    while todo:
        name = todo.pop()
        path = module_file(name)
        if path is None:
            raise SystemExit("profile: no module %s under firmware/" % name)
        if path == "":  # namespace package
            continue
        parts = name.split(".")
        for i in range(1, len(parts)):  # importing a.b.c runs a/__init__ and a/b/__init__
            init = module_file(".".join(parts[:i]))
            if init and init not in files:  # "" (no __init__.py) ships nothing
                files.add(init)
                todo.extend(imports_of(init, without))
        if path in files:
            continue
        files.add(path)
        todo.extend(imports_of(path, without))
    return sorted(files)


def mpy_size(files, mpy_dir=os.path.join(ROOT, "build", "mpy")):
    total = 0
    for f in files:
        p = os.path.join(mpy_dir, f[:-3] + ".mpy")
        if not os.path.exists(p):
            return None
        total += os.path.getsize(p)
    return total


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("entries", nargs="+")
    ap.add_argument("--formats", default="")
    ap.add_argument("--without", default="", help="features left out, e.g. bootstrap,acl")
    args = ap.parse_args(argv)
    formats = [int(x) for x in args.formats.split(",") if x]
    files = closure(args.entries, formats, [x for x in args.without.split(",") if x])
    for f in files:
        print(f)
    size = mpy_size(files)
    if size is not None:
        print("# %d files, %d bytes of .mpy" % (len(files), size))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
