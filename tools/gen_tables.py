"""Object tables for the firmware, generated from OMA LwM2M registry XML.

    python tools/gen_tables.py [--registry DIR] [--enabler 1.1] [--out FILE] [--names FILE] [XML ...]

With no XML files, reads the standard set (objects 0-7 and the IPSO sensors in
STANDARD) from the registry folder (default: the `shared/lwm2m-registry` found
in the repository's parent folders). Writes a MicroPython module of two bytes
tables (layout in firmware/lwm2m/model/table.py) and, for the host side, a
module mapping ids to names. Any defect in the XML is a GenError naming the
file, the object and the field; nothing is written then.
"""
import os
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "firmware", "lwm2m", "objects", "tables.py")
DEFAULT_NAMES = os.path.join(ROOT, "host_sim", "names.py")

# Current versions of the core objects 0-7 and the IPSO objects a sensor node needs.
STANDARD = ("0", "1", "2", "3", "4", "5", "6", "7", "3300", "3301", "3303", "3304", "3311", "3336")

# The object version a client of each enabler version implies for the core
# objects when it leaves out `ver=` (LwM2M Core 1.1.1, 7.2.3 and Appendix E;
# the same table Zephyr uses). Any other object without `ver=` is version 1.0.
IMPLIED = {
    "1.0": {},
    "1.1": {0: "1.1", 1: "1.1", 3: "1.1", 4: "1.2"},
}

TYPES = {
    "string": 0,
    "integer": 1,
    "unsigned integer": 2,
    "float": 3,
    "boolean": 4,
    "opaque": 5,
    "time": 6,
    "objlnk": 7,
    "corelnk": 8,
    "": 9,
    "none": 9,
}
OPS = {"": 0, "none": 0, "R": 1, "W": 2, "RW": 3, "E": 4}
# Bits of the packed resource info (must match firmware/lwm2m/model/table.py).
MULTIPLE = 0x80
MANDATORY = 0x100
# Object flags.
OBJ_MULTIPLE = 1
OBJ_MANDATORY = 2
OBJ_BOOTSTRAP_ONLY = 4


class GenError(Exception):
    pass


def find_registry(start=ROOT):
    """The `shared/lwm2m-registry` folder next to the repository (or a worktree
    of it: walks up the parents), or None."""
    env = os.environ.get("LWM2M_REGISTRY")
    if env:
        return env if os.path.isdir(env) else None
    here = start
    while True:
        cand = os.path.join(os.path.dirname(here), "shared", "lwm2m-registry")
        if os.path.isdir(cand):
            return cand
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _version(text, where):
    text = (text or "1.0").strip() or "1.0"
    try:
        major, minor = (int(p) for p in text.split("."))
    except ValueError:
        raise GenError("%s: bad version %r" % (where, text))
    if not (0 <= major < 16 and 0 <= minor < 16):
        raise GenError("%s: version %r does not fit in a byte" % (where, text))
    return major << 4 | minor


def _field(elem, tag, where, allowed=None, required=True):
    node = elem.find(tag)
    if node is None:
        if required:
            raise GenError("%s: missing field %s" % (where, tag))
        return None
    text = (node.text or "").strip()
    if allowed is not None and text not in allowed:
        raise GenError("%s: field %s has unknown value %r" % (where, tag, text))
    return text


def _int_id(text, where, tag):
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise GenError("%s: field %s is not an integer: %r" % (where, tag, text))
    if not 0 <= value <= 65535:
        raise GenError("%s: field %s out of range 0-65535: %d" % (where, tag, value))
    return value


def parse_object(obj, fname):
    """One <Object> element -> dict with id, name, version, flags, resources."""
    oid = _int_id(_field(obj, "ObjectID", fname), fname, "ObjectID")
    where = "%s: object %d" % (fname, oid)
    version = _version(_field(obj, "ObjectVersion", where, required=False), where + ": field ObjectVersion")
    flags = 0
    if _field(obj, "MultipleInstances", where, ("Single", "Multiple")) == "Multiple":
        flags |= OBJ_MULTIPLE
    if _field(obj, "Mandatory", where, ("Mandatory", "Optional")) == "Mandatory":
        flags |= OBJ_MANDATORY
    res_node = obj.find("Resources")
    if res_node is None:
        raise GenError("%s: missing field Resources" % where)
    resources = {}
    for item in res_node.findall("Item"):
        rid = _int_id(item.get("ID"), where + ": resource", "ID")
        rwhere = "%s: resource %d" % (where, rid)
        if rid in resources:
            raise GenError("%s: duplicate resource ID" % rwhere)
        ops = OPS.get(_field(item, "Operations", rwhere, required=False) or "")
        if ops is None:
            raise GenError("%s: field Operations has unknown value %r" % (rwhere, item.findtext("Operations")))
        rtype = TYPES.get((_field(item, "Type", rwhere, required=False) or "").lower())
        if rtype is None:
            raise GenError("%s: field Type has unknown value %r" % (rwhere, item.findtext("Type")))
        if (rtype == TYPES["none"]) != (ops == OPS["E"]):
            raise GenError("%s: field Type %r does not fit Operations %r"
                           % (rwhere, item.findtext("Type"), item.findtext("Operations")))
        info = rtype | ops << 4
        if _field(item, "MultipleInstances", rwhere, ("Single", "Multiple")) == "Multiple":
            info |= MULTIPLE
        if _field(item, "Mandatory", rwhere, ("Mandatory", "Optional")) == "Mandatory":
            info |= MANDATORY
        resources[rid] = (info, (_field(item, "Name", rwhere, required=False) or "").strip())
    # Security (0) and OSCORE (21) define no operation at all: only a
    # bootstrap server may touch them, never a LwM2M server.
    if resources and all((info >> 4) & 7 == 0 for info, _ in resources.values()):
        flags |= OBJ_BOOTSTRAP_ONLY
    name = (_field(obj, "Name", where, required=False) or "").strip()
    return {"id": oid, "name": name, "version": version, "flags": flags, "resources": resources, "file": fname}


def parse_file(path):
    fname = os.path.basename(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise GenError("%s: malformed XML: %s" % (fname, e))
    except OSError as e:
        raise GenError("%s: cannot read: %s" % (fname, e))
    objects = root.findall("Object")
    if not objects:
        raise GenError("%s: no Object element" % fname)
    return [parse_object(o, fname) for o in objects]


def parse(paths):
    """All objects from the files, by id; a second definition of an id is an error."""
    by_id = {}
    for path in paths:
        for obj in parse_file(path):
            prev = by_id.get(obj["id"])
            if prev is not None:
                raise GenError("%s: object %d: duplicate ObjectID (also in %s)" % (obj["file"], obj["id"], prev["file"]))
            by_id[obj["id"]] = obj
    return by_id


def pack(by_id, enabler="1.1"):
    """-> (objects bytes, resources bytes), both sorted by id for binary search.
    Object entry, 8 bytes: id u16, version u8 (major<<4|minor), implied version
    u8, flags u8, resource count u8, first resource index u16.
    Resource entry, 4 bytes: id u16, info u16 (type | ops<<4 | MULTIPLE | MANDATORY)."""
    if enabler not in IMPLIED:
        raise GenError("unknown enabler version %r (known: %s)" % (enabler, ", ".join(sorted(IMPLIED))))
    implied = IMPLIED[enabler]
    objs = bytearray()
    res = bytearray()
    for oid in sorted(by_id):
        obj = by_id[oid]
        rids = sorted(obj["resources"])
        if len(rids) > 255:
            raise GenError("%s: object %d: more than 255 resources" % (obj["file"], oid))
        first = len(res) // 4
        imp = _version(implied.get(oid, "1.0"), "implied")
        objs += bytes((oid >> 8, oid & 255, obj["version"], imp, obj["flags"], len(rids), first >> 8, first & 255))
        for rid in rids:
            info = obj["resources"][rid][0]
            res += bytes((rid >> 8, rid & 255, info >> 8, info & 255))
    return bytes(objs), bytes(res)


def _bytes_literal(data, indent="    "):
    lines = []
    for i in range(0, len(data), 32):
        lines.append(indent + repr(data[i:i + 32]))
    return "(\n" + "\n".join(lines) + "\n)"


def render_tables(by_id, enabler, sources):
    objs, res = pack(by_id, enabler)
    ids = ", ".join(str(i) for i in sorted(by_id))
    return (
        "# Generated by tools/gen_tables.py from the OMA LwM2M registry (%s);\n"
        "# `make tables` regenerates it. Do not edit. Layout: lwm2m/model/table.py.\n"
        "# Objects: %s\n"
        "ENABLER = %r\n"
        "OBJECTS = %s\n"
        "RESOURCES = %s\n" % (", ".join(sources), ids, enabler, _bytes_literal(objs), _bytes_literal(res))
    )


# The host-side module (host_sim/names.py) is the one id <-> name map of the
# host: content formats and paths as a person types them (server, CLI, logs)
# and, generated below them, the registry's object and resource names.
_NAMES_HEAD = '''\
"""Generated by tools/gen_tables.py (`make tables`); do not edit. Never imported
by the firmware. Content formats and paths as a person types them, and back
(server, CLI, logs); NAMES: the registry's object and resource names by id."""

FORMATS = {
    "text": 0,
    "plain": 0,
    "link": 40,
    "opaque": 42,
    "cbor": 60,
    "senml-json": 110,
    "senml-cbor": 112,
    "tlv": 11542,
    "json": 11543,
    "lwm2m-json": 11543,
    "lwm2m-cbor": 11544,
}
LINK_FORMAT = 40
SENML_CBOR = 112

_FORMAT_NAMES = {}
for _name, _number in FORMATS.items():
    _FORMAT_NAMES.setdefault(_number, _name)


def content_format(fmt):
    """A Content-Format number from a number, a digit string or a name; None stays None."""
    if fmt is None or isinstance(fmt, int):
        return fmt
    text = str(fmt).strip().lower()
    if text.isdigit():
        return int(text)
    try:
        return FORMATS[text]
    except KeyError:
        raise ValueError("unknown content format %r (one of %s)" % (fmt, ", ".join(sorted(FORMATS))))


def format_name(number):
    if number is None:
        return "none"
    return _FORMAT_NAMES.get(number, str(number))


def parse_path(path):
    """'/3/0/1' or (3, 0, 1) -> (3, 0, 1); '/' or '' -> (). ValueError on anything else."""
    if isinstance(path, (tuple, list)):
        parts = tuple(path)
    else:
        text = str(path).strip().strip("/")
        parts = tuple(text.split("/")) if text else ()
    try:
        ids = tuple(int(p) for p in parts)
    except (TypeError, ValueError):
        raise ValueError("bad LwM2M path %r" % (path,))
    if len(ids) > 4 or any(i < 0 or i > 65535 for i in ids):
        raise ValueError("bad LwM2M path %r" % (path,))
    return ids


def path_str(path):
    return "/" + "/".join(str(i) for i in path)


def code_str(code):
    """0x45 -> '2.05'."""
    return "%d.%02d" % (code >> 5, code & 0x1F)


def now():
    """Seconds on the running event loop's clock: virtual under the simulator's
    loop (host_sim/aio.py), monotonic otherwise."""
    import asyncio

    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        import time

        return time.monotonic()

'''


def render_names(by_id):
    out = [_NAMES_HEAD, "NAMES = {"]
    for oid in sorted(by_id):
        obj = by_id[oid]
        out.append("    %d: (%r, {" % (oid, obj["name"]))
        for rid in sorted(obj["resources"]):
            out.append("        %d: %r," % (rid, obj["resources"][rid][1]))
        out.append("    }),")
    out.append("}")
    return "\n".join(out) + "\n"


# Where a client of an enabler version carries an older version of a core object than the
# registry's current one (docs/leshan.md, "Object versions"): Server 1.2 is an LwM2M 1.2 object
# (its LWM2MVersion), and Device 1.2 differs from 1.1 only by Error Code's range (0..32 for
# 0..8) and a unit. Their 1.1 versions are the ones LwM2M 1.1 implies (IMPLIED): the Register
# lists them without ver= and every 1.1 server has their models (Leshan 2.0.0-M4 has no Device
# 1.2 and no Server 1.2, and reads what it cannot model as opaque).
CARRIED = {"1.0": {}, "1.1": {"1": "1.1", "3": "1.1"}}


def standard_files(registry, enabler="1.1"):
    """The XML of STANDARD: the registry's current versions, but those CARRIED older
    (version_history/<id>-<major>_<minor>.xml)."""
    out = []
    for n in STANDARD:
        v = CARRIED.get(enabler, {}).get(n)
        if v:
            out.append(os.path.join(registry, "version_history", "%s-%s.xml" % (n, v.replace(".", "_"))))
        else:
            out.append(os.path.join(registry, n + ".xml"))
    return out


def generate(paths, enabler="1.1"):
    """-> (tables module text, names module text)."""
    by_id = parse(paths)
    sources = [os.path.basename(p) for p in paths]
    return render_tables(by_id, enabler, sources), render_names(by_id)


def main(argv):
    args = list(argv[1:])
    opts = {"--registry": None, "--enabler": "1.1", "--out": DEFAULT_OUT, "--names": DEFAULT_NAMES}
    files = []
    while args:
        a = args.pop(0)
        if a in opts:
            if not args:
                print("gen_tables: %s needs a value" % a)
                return 2
            opts[a] = args.pop(0)
        else:
            files.append(a)
    if not files:
        registry = opts["--registry"] or find_registry()
        if not registry:
            print("gen_tables: no registry folder found (give --registry DIR)")
            return 2
        files = standard_files(registry, opts["--enabler"])
    try:
        tables, names = generate(files, opts["--enabler"])
    except GenError as e:
        print("gen_tables: %s" % e)
        return 1
    for path, text in ((opts["--out"], tables), (opts["--names"], names)):
        with open(path, "w") as f:
            f.write(text)
        print("gen_tables: wrote %s" % os.path.relpath(path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
