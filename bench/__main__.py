"""`make bench`: runs every bench/bench_*.py module's main(), each of which
measures one part (sizes, heap, bytes on the wire) and writes
bench/results/<part>.md; the lead copies those figures into README."""
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main(argv):
    sys.path.insert(0, os.path.join(ROOT, "firmware"))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    only = argv[1:]
    names = sorted(n[:-3] for n in os.listdir(HERE) if n.startswith("bench_") and n.endswith(".py"))
    for name in names:
        if only and name[6:] not in only:
            continue
        print("== %s" % name)
        importlib.import_module("bench." + name).main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
