"""Helpers shared by the Leshan tests: the stand-in device and the skips (CPython, pytest)."""

import pytest

from host_sim import leshan


class StandInDevice:
    """The Leshan library client (tools/leshan/LeshanStandInClient.java) as the device."""

    # the 2.0.0-M4 client answers Observe-Composite but sends no composite notification
    FEATURES = frozenset(("TEXT", "TLV", "JSON", "SENML_JSON", "SENML_CBOR", "OPAQUE", "psk",
                          "create_delete", "composite", "send"))

    def __init__(self, jars, endpoint):
        self.endpoint = endpoint
        self._client = leshan.StandInClient(jars, endpoint)

    def start(self, uri, bootstrap=False, psk=None, lifetime=300):
        self._client.start(uri, bootstrap=bootstrap, psk=psk, lifetime=lifetime)
        return self

    def update(self):
        # the server may see the registration before the client has its answer: wait for that
        self._client.wait_line("REGISTERED", timeout=20)
        self._client.command("update")

    def deregister(self):
        self._client.wait_line("REGISTERED", timeout=20)
        self._client.command("deregister")

    def send(self, paths):
        self._client.wait_line("REGISTERED", timeout=20)
        count = len([ln for ln in self._client.lines() if ln.startswith("SEN")])
        self._client.command("send " + ",".join(paths))
        return self._client.wait_line("SEN", count=count + 1)  # SENT <code> or SEND_FAILED

    def stop(self):
        self._client.stop()

    def supports(self, feature):
        return feature in self.FEATURES

    def output(self):
        return self._client.output()


def require(device, *features):
    """Skip the case when the device lacks a feature it needs."""
    for feature in features:
        if not device.supports(feature):
            pytest.skip("%s does not support %s" % (type(device).__name__, feature))


def psk_pair(endpoint):
    """A PSK identity and key for `endpoint` (16 bytes, derived from its name: reproducible)."""
    key = bytes((len(endpoint) * 7 + i * 13 + ord(endpoint[i % len(endpoint)])) & 0xFF for i in range(16))
    return endpoint + "-id", key
