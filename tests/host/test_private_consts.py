# Firmware modules copy the numbers they need from other modules (CoAP codes
# and options, datatypes, model flags) as private `_NAME = const(v)`: MicroPython
# inlines those, where an imported public name costs a dict slot and a qstr in
# every importer (docs/footprint.md). Each copy must equal the public
# definition it stands for.
import ast
import os

FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "firmware")


def _int_value(node):
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "const" and len(node.args) == 1:
        node = node.args[0]
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    return None


def _module_ints():
    """{path: {NAME: value}} for every module-level int constant under firmware/lwm2m."""
    out = {}
    for dirpath, _, files in os.walk(os.path.join(FIRMWARE, "lwm2m")):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                with open(path) as f:
                    tree = ast.parse(f.read())
                d = {}
                for node in tree.body:
                    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                        v = _int_value(node.value)
                        if v is not None:
                            d[node.targets[0].id] = v
                out[path] = d
    return out


def test_private_copies_equal_the_public_constants():
    mods = _module_ints()
    public = {}  # NAME -> {value: [path]}
    for path, d in mods.items():
        for n, v in d.items():
            if not n.startswith("_"):
                public.setdefault(n, {}).setdefault(v, []).append(path)
    checked = 0
    for path, d in mods.items():
        with open(path) as f:
            text = f.read()
        if "tests/host/test_private_consts.py" not in text:
            continue  # only the modules that say they hold copies
        for n, v in d.items():
            if n.startswith("_") and n[1:] in public:
                assert v in public[n[1:]], "%s: %s = %d, but %s is %r" % (
                    os.path.relpath(path, FIRMWARE), n, v, n[1:], public[n[1:]])
                checked += 1
    assert checked > 50
