"""Test certificates made with python-mbedtls at run time (ECDSA P-256): a CA,
a server certificate naming 127.0.0.1 (the name the client checks: the host of
its coaps URI) and a client certificate, all DER."""
import datetime


def make(client_cn="dev-cert-1", server_cn="127.0.0.1"):
    from mbedtls import hashlib, pk, x509

    now = datetime.datetime.utcnow() - datetime.timedelta(minutes=5)
    end = now + datetime.timedelta(days=2)
    ca_key = pk.ECC(pk.Curve.SECP256R1)
    ca_key.generate()
    ca = x509.CRT.selfsign(x509.CSR.new(ca_key, "CN=lwm2m-test-ca", hashlib.sha256()), ca_key,
                           not_before=now, not_after=end, serial_number=1,
                           basic_constraints=x509.BasicConstraints(True, 1))

    def leaf(cn, serial):
        key = pk.ECC(pk.Curve.SECP256R1)
        key.generate()
        crt = ca.sign(x509.CSR.new(key, "CN=%s" % cn, hashlib.sha256()), ca_key, now, end, serial)
        return crt.to_DER(), key.export_key("DER")

    server, server_key = leaf(server_cn, 2)
    client, client_key = leaf(client_cn, 3)
    return {"ca": ca.to_DER(), "server": server, "server_key": server_key, "client": client, "client_key": client_key}
