"""Build a firmware update package (docs/fota.md) from a folder of .mpy files:

    python tools/mkpackage.py --board esp32-nbiot --version 1.2.0 -o fw.pkg build/mpy
    python tools/mkpackage.py ... --hmac-key-hex 00112233...     # HMAC-SHA256 signed
    python tools/mkpackage.py ... --ecdsa-key key.pem            # ECDSA P-256 (python-mbedtls)

Files go in sorted path order; paths are relative to the folder (lwm2m/...)."""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware"))

from lwm2m.fota import sig  # noqa: E402
from lwm2m.fota.build import build  # noqa: E402


def collect(folder, suffixes=(".mpy",)):
    out = []
    for base, dirs, names in os.walk(folder):
        for n in names:
            if n.endswith(suffixes):
                full = os.path.join(base, n)
                rel = os.path.relpath(full, folder).replace(os.sep, "/")
                with open(full, "rb") as f:
                    out.append((rel, f.read()))
    out.sort()
    return out


def ecdsa_signer(pem_path):
    """sign(digest) -> raw r||s with a P-256 private key (PEM), via python-mbedtls."""
    from mbedtls import pk

    with open(pem_path, "rb") as f:
        key = pk.ECC.from_PEM(f.read().decode())

    def sign(digest):
        der = key.sign(digest, "sha256")
        # DER SEQUENCE { INTEGER r, INTEGER s } -> 32-byte r || 32-byte s
        i = 2 if der[1] < 0x80 else 3
        lr = der[i + 1]
        r = int.from_bytes(der[i + 2 : i + 2 + lr], "big")
        i += 2 + lr
        ls = der[i + 1]
        s = int.from_bytes(der[i + 2 : i + 2 + ls], "big")
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return sign


def make(folder, board, version, name="lwm2m-fw", hmac_key=None, ecdsa_pem=None):
    files = collect(folder)
    if hmac_key:
        return build(files, board, name, version, sig.HMAC, lambda d: sig.hmac_sha256(hmac_key, d))
    if ecdsa_pem:
        return build(files, board, name, version, sig.ECDSA_P256, ecdsa_signer(ecdsa_pem))
    return build(files, board, name, version)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", default="build/mpy")
    ap.add_argument("--board", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--name", default="lwm2m-fw")
    ap.add_argument("-o", "--out", required=True)
    ap.add_argument("--hmac-key-hex")
    ap.add_argument("--ecdsa-key", help="P-256 private key, PEM")
    a = ap.parse_args(argv)
    data = make(a.folder, a.board, a.version, a.name,
                bytes.fromhex(a.hmac_key_hex) if a.hmac_key_hex else None, a.ecdsa_key)
    with open(a.out, "wb") as f:
        f.write(data)
    print("%s: %d bytes, %d files" % (a.out, len(data), len(collect(a.folder))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
