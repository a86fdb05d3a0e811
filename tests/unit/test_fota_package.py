# The update package format and its checks (docs/fota.md), on both runtimes.
import hashlib
from support import raises, unhex
from fota_fakes import Flash
from fota_support import package, files, BOARD
from lwm2m.fota import package as P, sig, slots
from lwm2m.fota.build import build

# A P-256 key pair made with mbedTLS (python-mbedtls) and its ECDSA/SHA-256
# signature (r||s) of the "header digest" SHA-256("header"): the on-board
# verifier must agree with mbedTLS.
PUB = unhex(
    "0476c104136da70e2458b50040d759637c832a185c104689f29a396ff39d27e8"
    "9ae69c680e2f10ce70e57428acfda17acb650d9d912298d3bdd9017f0d20106f76")
SIG = unhex(
    "02790572c43b52a67cb76fa577d27b95e1de305915ab6e4e1e331fbcce1020cf"
    "8da85a3ded49ba21f14e95e86439f8b4f548b3af5c6f4b20452e884a0dfa1a92")


def _store(data):
    st = Flash().reboot()
    f = st.open("p", "wb")
    f.write(data)
    f.close()
    return st


def test_package_layout_prefix_header_digest_files():
    p = package(n=2, size=10)
    assert p[:4] == b"LWFW" and p[4] == 1 and p[5] == 0
    assert P.declared_length(p) == len(p)
    tlen = (p[6] << 8) | p[7]
    text = p[12 : 12 + tlen].decode()
    assert text.split("\n")[:3] == ["board=%s" % BOARD, "name=lwm2m-fw", "version=2.0.0"]
    assert p[12 + tlen : 44 + tlen] == hashlib.sha256(p[: 12 + tlen]).digest()
    assert p[44 + tlen : 46 + tlen] == b"\x00\x00"  # no signature
    assert p[46 + tlen :] == files(2, 10)[0][1] + files(2, 10)[1][1]


def test_check_accepts_good_package_and_unpack_writes_each_file():
    st = _store(package(n=3, size=50))
    hd = P.check(st, "p", BOARD)
    assert (hd.name, hd.version, hd.files, hd.data_size) == ("lwm2m-fw", "2.0.0", 3, 150)
    P.unpack(st, "p", hd, "a")
    for path, data in files(3, 50):
        f = st.open("a/" + path, "rb")
        assert f.read() == data
        f.close()


def test_truncated_package_is_integrity_failure():
    p = package()
    for cut in (len(p) - 1, len(p) // 2, 40):
        e = raises(P.PackageError, P.check, _store(p[:cut]), "p", BOARD)
        assert e.result == 5, (cut, e.result)


def test_wrong_file_hash_is_integrity_failure_found_while_unpacking():
    p = bytearray(package())
    p[-1] ^= 1
    st = _store(p)
    hd = P.check(st, "p", BOARD)
    assert raises(P.PackageError, P.unpack, st, "p", hd, "a").result == 5


def test_changed_header_fails_its_digest():
    p = bytearray(package())
    i = bytes(p).find(b"version=2")
    p[i + 8] = ord("9")
    assert raises(P.PackageError, P.check, _store(p), "p", BOARD).result == 5


def test_wrong_board_is_unsupported_package_type():
    st = _store(package(board="other-board"))
    assert raises(P.PackageError, P.check, st, "p", BOARD).result == 6


def test_not_a_package_is_unsupported_package_type():
    assert raises(P.PackageError, P.check, _store(b"\x7fELF" + bytes(100)), "p", BOARD).result == 6
    assert P.declared_length(b"LWFW") == -1


def test_too_large_for_free_flash_is_result_2():
    p = package(n=3, size=400)
    st = Flash(capacity=len(p) + 600).reboot()
    f = st.open("p", "wb")
    f.write(p)
    f.close()
    assert raises(P.PackageError, P.check, st, "p", BOARD).result == 2


def test_malformed_file_lines_are_unsupported_package_type():
    p = package(n=1, size=100)
    for old, new in ((b"file=100 ", b"file=>00 "), (b"file=100 ", b"file=-10 "), (b"file=100 ", b"file=1e2 ")):
        bad = p.replace(old, new)
        assert raises(P.PackageError, P.check, _store(bad), "p", BOARD).result == 6, new
    i = p.find(b"file=100 ") + 9
    bad = p[:i] + b"G" + p[i + 1 :]  # not a hex digest
    assert raises(P.PackageError, P.check, _store(bad), "p", BOARD).result == 6


def test_unsafe_paths_are_rejected():
    for bad in ("../boot.py", "/main.py", "a//b.mpy", "lwm2m/../x.mpy", "a b.mpy", "caf\u00e9.mpy"):
        st = _store(build([(bad, b"x")], BOARD, "n", "1"))
        assert raises(P.PackageError, P.check, st, "p", BOARD).result == 6, bad


def test_hmac_signature_checked_when_board_has_key():
    key = b"k" * 20
    signed = package(sig_type=sig.HMAC, sign=lambda d: sig.hmac_sha256(key, d))
    P.check(_store(signed), "p", BOARD, {sig.HMAC: key})
    assert raises(P.PackageError, P.check, _store(signed), "p", BOARD, {sig.HMAC: b"other"}).result == 5
    assert raises(P.PackageError, P.check, _store(package()), "p", BOARD, {sig.HMAC: key}).result == 5
    # Without a key on the board a signature is not required.
    P.check(_store(signed), "p", BOARD)


def test_hmac_sha256_rfc4231_case_2():
    mac = sig.hmac_sha256(b"Jefe", b"what do ya want for nothing?")
    assert mac == unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")


def test_ecdsa_p256_verifies_mbedtls_signature():
    d = hashlib.sha256(b"header").digest()
    assert sig.verify(sig.ECDSA_P256, PUB, d, SIG)
    assert not sig.verify(sig.ECDSA_P256, PUB, hashlib.sha256(b"other").digest(), SIG)
    bad = bytearray(SIG)
    bad[5] ^= 1
    assert not sig.verify(sig.ECDSA_P256, PUB, d, bytes(bad))
    off_curve = bytearray(PUB)
    off_curve[64] ^= 1
    assert not sig.verify(sig.ECDSA_P256, bytes(off_curve), d, SIG)
    assert not sig.verify(sig.HMAC, PUB, d, SIG)


def _slot(st, name, version):
    st.mkdir(name)
    slots.write_atomic(st, name + "/" + slots.MANIFEST, ("version=%s\n" % version).encode())


def test_slot_pointer_to_incomplete_slot_boots_previous_or_factory():
    st = Flash().reboot()
    _slot(st, "b", "1")
    st.mkdir("a")  # no manifest: never finished unpacking
    slots.write(st, "a", "b", slots.SWITCHED)
    assert slots.select(st) == "b" and slots.read(st) == ("b", "", slots.CONFIRMED)
    slots.write(st, "a", "", slots.CONFIRMED)
    assert slots.select(st) == ""


def test_slot_pointer_trial_boot_then_rollback():
    st = Flash().reboot()
    _slot(st, "a", "2")
    assert slots.select(st) == ""
    slots.write(st, "a", "", slots.SWITCHED)
    assert slots.select(st) == "a"
    assert slots.read(st) == ("a", "", slots.TRIAL)
    # Booted again without confirming: the trial failed, the factory image runs.
    assert slots.select(st) == ""
    assert slots.read(st) == ("", "", slots.CONFIRMED)
    assert slots.inactive(st) == "a"
    slots.write(st, "a", "", slots.CONFIRMED)
    assert slots.inactive(st) == "b"


def test_header_line_without_newline_is_refused_in_bounded_reads():
    text = b"board=" + b"x" * 9000  # one line, no newline
    pre = b"LWFW\x01\x00" + len(text).to_bytes(2, "big") + (12 + len(text) + 34).to_bytes(4, "big")
    data = pre + text + bytes(34)
    assert raises(P.PackageError, P.check, _store(data), "p", BOARD).result in (5, 6)
