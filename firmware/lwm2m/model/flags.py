# The bits of a resource's packed definition and of an object's flags in the
# generated tables (lwm2m.model.table), by name. lwm2m.model.table hands these
# names out on demand (its module __getattr__), so `from lwm2m.model.table
# import MULTIPLE` works as before; the firmware uses private const() copies
# and never loads this module (a public module constant costs a dict slot and
# a qstr on the heap, docs/footprint.md).
from lwm2m.compat import const

TYPE_MASK = const(0x0F)
R = const(0x10)
W = const(0x20)
E = const(0x40)
MULTIPLE = const(0x80)
MANDATORY = const(0x100)

# Object flags.
OBJ_MULTIPLE = const(1)
OBJ_MANDATORY = const(2)
OBJ_BOOTSTRAP_ONLY = const(4)  # Security (0), OSCORE (21): no LwM2M server access
