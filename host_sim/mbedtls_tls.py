"""MicroPython's `tls` module, the DTLS-client subset we use, on CPython over
python-mbedtls. lwm2m.compat.tls() returns this module on CPython, so
firmware/lwm2m/link/dtls.py runs unchanged on both runtimes.

It lives in host_sim/, not firmware/: it needs python-mbedtls (a CPython C
extension), so it can never run on a board and must stay out of the .mpy
build and the board manifests.

The subset, with MicroPython's semantics:
- SSLContext(PROTOCOL_DTLS_CLIENT); attributes verify_mode, psk_identity,
  psk_key; get_ciphers(); set_ciphers(list of names).
- wrap_socket(sock, server_side=False, do_handshake_on_connect=True,
  server_hostname=None) where `sock` is a stream object: write(buf) sends one
  datagram, readinto(buf) returns one datagram's length, None for "nothing
  yet" or a negative errno to fail (MicroPython's io.IOBase protocol).
- The wrapped socket: recv(n) -> bytes, None ("nothing yet") or b"" (peer
  sent close_notify); write(b)/send(b); cipher(); close().
- Errors are OSError(code, text): a negative mbedTLS code as MicroPython
  gives (e.g. -0x7780 fatal alert), or the positive errno a readinto
  returned.

Never put the key in an exception or a repr: python-mbedtls's
DTLSConfiguration repr shows it, so no object here ever shows its
configuration.
"""
import mbedtls
from mbedtls import tls as _m
from mbedtls.exceptions import TLSError

PROTOCOL_DTLS_CLIENT = 2  # MicroPython's values
PROTOCOL_DTLS_SERVER = 3
CERT_NONE = 0
CERT_OPTIONAL = 1
CERT_REQUIRED = 2
MBEDTLS_VERSION = mbedtls.version.version

_CHUNK = 4096
_MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY = 0x7880


def _oserror(exc):
    """OSError(-code, text) from a python-mbedtls TLSError, as MicroPython raises."""
    code = getattr(exc, "err", 0) or 0
    return OSError(-code, getattr(exc, "msg", "") or type(exc).__name__)


def _private_key(der):
    from mbedtls import pk

    try:
        return pk.ECC.from_DER(der)
    except Exception:
        return pk.RSA.from_DER(der)


class SSLContext:
    def __init__(self, protocol):
        if protocol != PROTOCOL_DTLS_CLIENT:
            raise ValueError("this shim implements the DTLS client only")
        self.verify_mode = CERT_REQUIRED
        self.psk_identity = None
        self.psk_key = None
        self._ciphers = None
        self._chain = None  # (certificate DER, private key DER): load_cert_chain
        self._cadata = None  # trust anchor DER: load_verify_locations
        # mbedTLS's own handshake retransmission timer (seconds); MicroPython
        # keeps mbedTLS's defaults, 1 and 60.
        self.handshake_timeout_min = 1.0
        self.handshake_timeout_max = 60.0

    def __repr__(self):
        return "<SSLContext>"

    def load_cert_chain(self, cert, key):
        """Own certificate and private key, DER bytes (MicroPython takes DER or PEM data)."""
        self._chain = (bytes(cert), bytes(key))

    def load_verify_locations(self, cadata):
        """The certificate (DER) that anchors the peer's chain."""
        self._cadata = bytes(cadata)

    def get_ciphers(self):
        return list(_m.ciphers_available())

    def set_ciphers(self, names):
        available = _m.ciphers_available()
        for n in names:
            if n not in available:
                raise OSError(-0x5E80, "MBEDTLS_ERR_SSL_BAD_CONFIG")
        self._ciphers = tuple(names)

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, server_hostname=None):
        if server_side:
            raise ValueError("this shim implements the DTLS client only")
        if self.verify_mode == CERT_REQUIRED and server_hostname is None:
            raise ValueError("CERT_REQUIRED requires server_hostname")
        psk = None
        if self.psk_identity is not None and self.psk_key is not None:
            ident = self.psk_identity
            if isinstance(ident, (bytes, bytearray)):
                ident = bytes(ident).decode()
            psk = (ident, bytes(self.psk_key))
        certs = {}
        if self._chain is not None:
            from mbedtls import x509

            certs["certificate_chain"] = ([x509.CRT.from_DER(self._chain[0])], _private_key(self._chain[1]))
        if self._cadata is not None:
            from mbedtls import x509

            certs["trust_store"] = _m.TrustStore([x509.CRT.from_DER(self._cadata)])
        conf = _m.DTLSConfiguration(
            validate_certificates=self.verify_mode != CERT_NONE,
            ciphers=self._ciphers,
            pre_shared_key=psk,
            **certs,
            lowest_supported_version=_m.DTLSVersion.DTLSv1_2,
            highest_supported_version=_m.DTLSVersion.DTLSv1_2,
            handshake_timeout_min=self.handshake_timeout_min,
            handshake_timeout_max=self.handshake_timeout_max,
        )
        buf = _m.ClientContext(conf).wrap_buffers(server_hostname)
        del conf, psk, certs
        s = SSLSocket(sock, buf)
        if do_handshake_on_connect:
            s._handshake()
        return s


class SSLSocket:
    def __init__(self, sock, buf):
        self._sock = sock
        self._buf = buf
        self._error = None  # sticky, as MicroPython's last_error
        self._rx = bytearray(_CHUNK)

    def __repr__(self):
        return "<SSLSocket>"

    def _flush(self):
        # Everything mbedTLS wrote since the last flush goes out as one
        # datagram: one flight or one record (PSK flights fit one datagram).
        out = self._buf.peek_outgoing(_CHUNK)
        while out:
            self._sock.write(out)
            self._buf.consume_outgoing(len(out))
            out = self._buf.peek_outgoing(_CHUNK)

    def _pull(self):
        """One datagram from the stream into mbedTLS; False if nothing yet."""
        n = self._sock.readinto(self._rx)
        if n is None:
            return False
        if n < 0:
            raise OSError(-n, "transport")
        self._buf.receive_from_network(bytes(self._rx[:n]))
        return True

    def _fail(self, exc):
        self._error = exc
        raise exc

    def _handshake(self):
        while self._buf._handshake_state is not _m.HandshakeStep.HANDSHAKE_OVER:
            try:
                self._buf.do_handshake()
                self._flush()
            except _m.WantWriteError:
                self._flush()
            except _m.WantReadError:
                self._flush()
                try:
                    self._pull()
                except OSError as e:
                    self._fail(e)
            except TLSError as e:
                self._flush()  # an alert we send, if any
                self._fail(_oserror(e))

    def recv(self, n):
        if self._error:
            raise self._error
        if self._buf._handshake_state is not _m.HandshakeStep.HANDSHAKE_OVER:
            self._handshake()
        pulled = False
        while True:
            try:
                out = bytearray(n)
                return bytes(out[: self._buf.readinto(out, n)])
            except _m.WantReadError:
                # Nothing buffered, or a record mbedTLS dropped (bad MAC,
                # replay, truncated): take one more datagram, once.
                if pulled:
                    return None
            except _m.WantWriteError:
                self._flush()
                return None
            except _m.RaggedEOF:
                return b""
            except TLSError as e:
                if getattr(e, "err", 0) == _MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
                    return b""
                self._fail(_oserror(e))
            try:
                pulled = self._pull()
            except OSError as e:
                self._fail(e)
            if not pulled:
                return None

    def write(self, data):
        if self._error:
            raise self._error
        if self._buf._handshake_state is not _m.HandshakeStep.HANDSHAKE_OVER:
            self._handshake()
        try:
            self._buf.write(bytes(data))
        except TLSError as e:
            self._fail(_oserror(e))
        self._flush()
        return len(data)

    send = write

    def cipher(self):
        return (self._buf.cipher(), "DTLSv1.2")

    def close(self):
        # As MicroPython: free the session without a close_notify (its
        # SSLSocket.close() sends none), so both runtimes put the same bytes
        # on the wire.
        self._buf = None
        self._error = OSError(9, "closed")
