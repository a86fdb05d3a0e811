# The LwM2M data model: Model (the object tree and the operations on it),
# Bound (a resource backed by callables) and the change-listener events.
from lwm2m.model.tree import Model
from lwm2m.model.stage import Bound, CHANGED, CREATED, DELETED
