# Runs the shared unit tests (tests/unit/test_*.py) on the MicroPython unix port,
# with the firmware imported from compiled .mpy files. Our own runner: mip and
# unittest are not reachable from this machine.
#   micropython tests/mp_runner.py <mpy_dir> <tests_dir> [test_file ...]
import sys, os

mpy_dir, tests_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, tests_dir)
sys.path.insert(0, mpy_dir)
only = sys.argv[3:]

import support

names = only or sorted(n for n in os.listdir(tests_dir) if n.startswith("test_") and n.endswith(".py"))
passed = failed = skipped = 0
for name in names:
    modname = name.split("/")[-1][:-3]
    try:
        mod = __import__(modname)
    except Exception as e:
        failed += 1
        print("ERROR importing", modname)
        sys.print_exception(e)
        continue
    tests = sorted(k for k in dir(mod) if k.startswith("test_"))
    for t in tests:
        fn = getattr(mod, t)
        if not callable(fn):
            continue
        try:
            fn()
            passed += 1
        except support.SkipTest as e:
            skipped += 1
            print("SKIP %s::%s (%s)" % (modname, t, e.args[0] if e.args else ""))
        except Exception as e:
            failed += 1
            print("FAIL %s::%s" % (modname, t))
            sys.print_exception(e)
    del sys.modules[modname]
print("micropython: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed else 0)
