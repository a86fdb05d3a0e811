"""Test certificates made with python-mbedtls at run time (ECDSA P-256): a CA,
a server certificate naming 127.0.0.1 (the name the client checks: the host of
its coaps URI) and a client certificate, all DER."""
import datetime


class Authority:
    """A CA that issues leaf certificates on demand: a server run for a whole
    session trusts it, each test gets a client certificate named after its
    endpoint (Leshan checks the certificate's CN against the endpoint name)."""

    def __init__(self, name="lwm2m-test-ca"):
        from mbedtls import hashlib, pk, x509

        self._now = datetime.datetime.utcnow() - datetime.timedelta(minutes=5)
        self._end = self._now + datetime.timedelta(days=2)
        self._key = pk.ECC(pk.Curve.SECP256R1)
        self._key.generate()
        self._crt = x509.CRT.selfsign(x509.CSR.new(self._key, "CN=" + name, hashlib.sha256()), self._key,
                                      not_before=self._now, not_after=self._end, serial_number=1,
                                      basic_constraints=x509.BasicConstraints(True, 1))
        self.ca = self._crt.to_DER()
        self._serial = 1

    def issue(self, cn):
        """(certificate DER, private key DER as SEC1 ECPrivateKey) for CN=cn."""
        from mbedtls import hashlib, pk, x509

        self._serial += 1
        key = pk.ECC(pk.Curve.SECP256R1)
        key.generate()
        crt = self._crt.sign(x509.CSR.new(key, "CN=%s" % cn, hashlib.sha256()), self._key,
                             self._now, self._end, self._serial)
        return crt.to_DER(), key.export_key("DER")


def pkcs8(sec1):
    """A P-256 SEC1 private key (DER) as PKCS#8 PrivateKeyInfo (DER), the form Java (Leshan)
    reads; mbedTLS reads both."""
    def tlv(tag, body):
        n = len(body)
        size = bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82, n >> 8, n & 255])
        return bytes([tag]) + size + body

    ec_p256 = tlv(0x30, tlv(0x06, bytes.fromhex("2a8648ce3d0201")) + tlv(0x06, bytes.fromhex("2a8648ce3d030107")))
    return tlv(0x30, tlv(0x02, b"\x00") + ec_p256 + tlv(0x04, sec1))


def make(client_cn="dev-cert-1", server_cn="127.0.0.1"):
    ca = Authority()
    server, server_key = ca.issue(server_cn)
    client, client_key = ca.issue(client_cn)
    return {"ca": ca.ca, "server": server, "server_key": server_key, "client": client, "client_key": client_key}
