# Package signatures over the 32-byte header digest. MicroPython's unix and
# ESP32 ports expose SHA-256 (hashlib) but no public-key API (tls does
# handshakes, not sign/verify), so:
#   HMAC-SHA256 with a shared key: cheap, but the key on every board can sign.
#   ECDSA P-256 / SHA-256 verified here in Python big-int arithmetic (the
#   board holds only the public key): ~7 ms on the unix port, ~1 s on an ESP32,
#   once per update. Signatures are raw r||s (64 bytes).
import hashlib

HMAC = 1
ECDSA_P256 = 2


def hmac_sha256(key, msg):
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = bytes(key) + bytes(64 - len(key))
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    inner.update(msg)
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    outer.update(inner.digest())
    return outer.digest()


def _eq(a, b):
    # Compare without an early exit on the first differing byte.
    if len(a) != len(b):
        return False
    d = 0
    for i in range(len(a)):
        d |= a[i] ^ b[i]
    return d == 0


# NIST P-256 (y^2 = x^3 - 3x + b over GF(p), order n).
_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_GX = 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296
_GY = 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5


def _double(pt):
    # Jacobian coordinates, a = -3.
    x, y, z = pt
    if not y:
        return (0, 1, 0)
    p = _P
    yy = y * y % p
    s = 4 * x * yy % p
    zz = z * z % p
    m = 3 * (x - zz) * (x + zz) % p
    nx = (m * m - 2 * s) % p
    return (nx, (m * (s - nx) - 8 * yy * yy) % p, 2 * y * z % p)


def _add(a, b):
    if not a[2]:
        return b
    if not b[2]:
        return a
    p = _P
    x1, y1, z1 = a
    x2, y2, z2 = b
    z1z1 = z1 * z1 % p
    z2z2 = z2 * z2 % p
    u1 = x1 * z2z2 % p
    u2 = x2 * z1z1 % p
    s1 = y1 * z2 * z2z2 % p
    s2 = y2 * z1 * z1z1 % p
    if u1 == u2:
        return _double(a) if s1 == s2 else (0, 1, 0)
    h = (u2 - u1) % p
    r = (s2 - s1) % p
    hh = h * h % p
    hhh = h * hh % p
    v = u1 * hh % p
    nx = (r * r - hhh - 2 * v) % p
    return (nx, (r * (v - nx) - s1 * hhh) % p, z1 * z2 * h % p)


def _int(b):
    return int.from_bytes(bytes(b), "big")


def ecdsa_p256_verify(pub, digest, sig):
    """pub: 65-byte uncompressed point (04||X||Y); digest: the message's SHA-256;
    sig: r||s, 64 bytes. True when the signature is valid."""
    if len(pub) != 65 or pub[0] != 4 or len(sig) != 64:
        return False
    p = _P
    qx, qy = _int(pub[1:33]), _int(pub[33:])
    if qx >= p or qy >= p or (qy * qy - qx * qx * qx + 3 * qx - _B) % p:
        return False  # not on the curve
    r, s = _int(sig[:32]), _int(sig[32:])
    n = _N
    if not (0 < r < n and 0 < s < n):
        return False
    w = pow(s, n - 2, n)
    u1 = _int(digest) * w % n
    u2 = r * w % n
    # u1*G + u2*Q in one pass (Shamir's trick).
    g = (_GX, _GY, 1)
    q = (qx, qy, 1)
    gq = _add(g, q)
    acc = (0, 1, 0)
    for i in range(255, -1, -1):
        acc = _double(acc)
        bits = ((u1 >> i) & 1) | (((u2 >> i) & 1) << 1)
        if bits == 1:
            acc = _add(acc, g)
        elif bits == 2:
            acc = _add(acc, q)
        elif bits == 3:
            acc = _add(acc, gq)
    x, y, z = acc
    if not z:
        return False
    zi = pow(z, p - 2, p)
    return x * zi * zi % p % n == r


def verify(kind, key, header_digest, signature):
    """Check signature (of kind HMAC or ECDSA_P256) over the header digest with
    the board's key (the HMAC secret or the P-256 public point)."""
    if kind == HMAC:
        return _eq(hmac_sha256(key, header_digest), signature)
    if kind == ECDSA_P256:
        return ecdsa_p256_verify(key, hashlib.sha256(header_digest).digest(), signature)
    return False
