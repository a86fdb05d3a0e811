"""package.json for `mpremote mip install github:<org>/<repo>`: every firmware
module, fetched from its place in this repository (URLs relative to
package.json). A board that should carry less uses its manifest instead.

    python tools/gen_package.py [--check]
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION = "0.1.0"


def package():
    urls = []
    for dirpath, dirs, files in os.walk(os.path.join(ROOT, "firmware", "lwm2m")):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                rel = os.path.relpath(os.path.join(dirpath, name), os.path.join(ROOT, "firmware"))
                urls.append([rel, "firmware/" + rel])
    return json.dumps({"urls": urls, "deps": [], "version": VERSION}, indent=1) + "\n"


def main(argv):
    path = os.path.join(ROOT, "package.json")
    text = package()
    old = open(path).read() if os.path.exists(path) else None
    if old == text:
        return 0
    if "--check" in argv:
        print("stale: package.json (run make package.json)")
        return 1
    with open(path, "w") as f:
        f.write(text)
    print("wrote package.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
