# LwM2M resource data types, one small int each (the object tables store them
# in 4 bits). Python value of each type, on both runtimes:
#   STRING, CORELNK -> str      INTEGER, UNSIGNED, TIME -> int
#   FLOAT -> float              BOOLEAN -> bool
#   OPAQUE -> bytes             OBJLNK -> tuple (object_id, instance_id)
#   NONE -> no value (executable resources)
STRING = 0
INTEGER = 1
UNSIGNED = 2
FLOAT = 3
BOOLEAN = 4
OPAQUE = 5
TIME = 6
OBJLNK = 7
CORELNK = 8
NONE = 9
