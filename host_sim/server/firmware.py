"""Firmware packages served by the embedded server over CoAP, block-wise:
GET coap://HOST:PORT/fw/<name>. Every block is cut from the package as asked
(no per-transfer state, unlike aiocoap's Block2 cache, which answers 4.08 to a
transfer that does not start at block 0): a device resuming a download asks
for block N first. `gets` records (name, block number) of every GET.

    repo = firmware.attach(server)
    uri = repo.add("v2.pkg", open("v2.pkg", "rb").read())   # coap://127.0.0.1:PORT/fw/v2.pkg
    await server.write("dev-1", "/5/0/1", {(5, 0, 1): uri})
"""
import aiocoap
from aiocoap.numbers.codes import Code

from lwm2m.error import BAD_OPTION, NOT_FOUND, CoapError


class FirmwareRepository:
    def __init__(self, server):
        self.server = server
        self.files = {}
        self.gets = []  # (name, block number or None)

    def add(self, name, data):
        self.files[name] = bytes(data)
        return self.uri(name)

    def uri(self, name):
        host = self.server.host
        host = "[%s]" % host if ":" in host else host
        return "coap://%s:%d/fw/%s" % (host, self.server.port, name)

    def render(self, request, rest):
        name = "/".join(rest)
        b2 = request.opt.block2
        num = None if b2 is None else b2.block_number
        self.gets.append((name, num))
        if name not in self.files:
            raise CoapError(NOT_FOUND, "no package %r" % name)
        full = aiocoap.Message(code=Code.CONTENT, payload=self.files[name], content_format=42)
        remote = request.remote
        if b2 is None and len(full.payload) <= remote.maximum_payload_size:
            return full
        szx = remote.maximum_block_size_exp if b2 is None else min(b2.size_exponent, remote.maximum_block_size_exp)
        if (num or 0) * (16 << szx) >= len(full.payload):
            raise CoapError(BAD_OPTION, "block past the end")
        return full._extract_block(num or 0, szx, remote.maximum_payload_size)


def attach(server):
    """A repository on server's site (served under /fw)."""
    server.firmware = FirmwareRepository(server)
    return server.firmware
