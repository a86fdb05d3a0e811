# lwm2m.store: framing, atomic replace, and a power cut at every byte.
from store_fakes import CutFs, PowerCut
from lwm2m.store import Store, frame, unframe
from lwm2m.codec import cbor


def test_save_then_load_gives_the_value_back():
    fs = CutFs()
    s = Store("st", fs)
    assert s.load("none") == "none"
    s.save({"a": [1, b"\x00\x01", "x", 2.5, None, True]})
    assert Store("st", fs).load() == {"a": [1, b"\x00\x01", "x", 2.5, None, True]}
    assert "st.new" not in fs.files


def test_frame_rejects_every_truncation_and_a_flipped_byte():
    data = frame(b"hello state")
    assert unframe(data) == b"hello state"
    for n in range(len(data)):
        assert unframe(data[:n]) is None
    bad = bytearray(data)
    bad[-1] ^= 1
    assert unframe(bytes(bad)) is None


def _states():
    return [{"n": i, "stored": [[0, 69, b"x" * i, False]] * i} for i in range(4)]


def test_power_cut_at_every_byte_leaves_old_or_new_state():
    states = _states()
    # the bytes each save writes, to know where a cut can fall
    sizes = [len(frame(cbor.dumps(v))) for v in states]
    for i in range(1, len(states)):
        for cut in range(sizes[i] + 1):
            fs = CutFs()
            s = Store("st", fs)
            for v in states[:i]:
                s.save(v)
            fs.cut_at = fs.written + cut
            try:
                s.save(states[i])
            except PowerCut:
                pass
            fs.cut_at = None
            got = Store("st", fs).load()
            assert got == states[i - 1] or got == states[i], (i, cut, got)
            if cut == sizes[i]:
                assert got == states[i]  # complete but not renamed: the new one
            # and the next save after the restart is not spoiled by leftovers
            Store("st", fs).save(states[0])
            assert Store("st", fs).load() == states[0]


def test_a_complete_new_file_is_kept_when_the_next_save_is_cut():
    fs = CutFs()
    s = Store("st", fs)
    s.save("A")
    fs.cut_at = fs.written + len(frame(b"\x61B"))  # .new written, rename lost
    try:
        s.save("B")
    except PowerCut:
        pass
    fs.cut_at = fs.written + 3  # the next save is cut early
    try:
        Store("st", fs).save("C")
    except PowerCut:
        pass
    fs.cut_at = None
    assert Store("st", fs).load() == "B"
