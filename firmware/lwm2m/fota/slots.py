# Which firmware slot runs. Two slot folders, "a" and "b", next to the factory
# image (""); the pointer file names the running slot, the one to fall back
# to, and the trial state of a new slot:
#   0  confirmed        1  switched, not booted yet    2  booted, not confirmed
# The pointer is only ever replaced whole: written as POINTER.new, then
# renamed over POINTER, so a power cut leaves the old or the new one.
POINTER = "slot"
MANIFEST = "fw.txt"  # in a slot folder, written last: name=, version=, board=
CONFIRMED = 0
SWITCHED = 1
TRIAL = 2


def text(b):
    """bytes from flash as str; damaged bytes give "" (the caller's default)."""
    try:
        return b.decode()
    except UnicodeError:
        return ""


def read(store):
    """(slot, previous, trial); ("", "", 0) without a pointer: the factory image."""
    if store.size(POINTER) <= 0:
        return "", "", CONFIRMED
    f = store.open(POINTER, "rb")
    try:
        parts = text(f.read(64)).split("\n")
    finally:
        f.close()
    # Anything unreadable boots the factory image rather than nothing.
    if len(parts) < 3 or parts[0] not in ("", "a", "b") or parts[1] not in ("", "a", "b") \
            or parts[2] not in ("0", "1", "2"):
        return "", "", CONFIRMED
    return parts[0], parts[1], int(parts[2])


def write_atomic(store, name, data):
    tmp = name + ".new"
    f = store.open(tmp, "wb")
    try:
        f.write(data)
    finally:
        f.close()
    store.rename(tmp, name)


def write(store, slot, prev, trial):
    write_atomic(store, POINTER, ("%s\n%s\n%d\n" % (slot, prev, trial)).encode())


def inactive(store):
    """The slot an update is unpacked into: never the running one, nor the one
    a trial would fall back to."""
    return "b" if read(store)[0] == "a" else "a"


def select(store):
    """Boot time: the slot to run (its folder goes first on sys.path; "" is the
    factory image). A switched slot gets its one trial boot; a slot still on
    trial at the next boot never confirmed (it crashed, hung or lost power
    before registering), so the previous slot runs again."""
    slot, prev, trial = read(store)
    if slot and not manifest(store, slot):
        # A slot without its manifest was never completely unpacked: it
        # cannot have been switched to on purpose, so never run it.
        write(store, prev if manifest(store, prev) else "", "", CONFIRMED)
        return read(store)[0]
    if trial == SWITCHED:
        write(store, slot, prev, TRIAL)
    elif trial == TRIAL:
        write(store, prev, "", CONFIRMED)
        return prev
    return slot


def boot(store):
    """Boot time, before anything imports the client: select() the slot and,
    unless it is the factory image, put its folder (under the FileStore's
    root) first on sys.path and forget the lwm2m modules imported so far, so
    that the next import loads the slot's. Returns the slot."""
    import sys

    slot = select(store)
    if slot:
        for name in list(sys.modules):
            if name == "lwm2m" or name.startswith("lwm2m."):
                del sys.modules[name]
        sys.path.insert(0, store.root + "/" + slot)
    return slot


def manifest(store, slot):
    """{key: value} from a slot's manifest; {} when the slot is not complete."""
    out = {}
    name = slot + "/" + MANIFEST
    if not slot or store.size(name) < 0:
        return out
    f = store.open(name, "rb")
    try:
        for line in text(f.read(512)).split("\n"):
            i = line.find("=")
            if i > 0:
                out[line[:i]] = line[i + 1 :]
    finally:
        f.close()
    return out
