"""Fixtures for the tests against Eclipse Leshan (CPython only).

One Leshan demo server, bootstrap server and ops server per session (a JVM starts in about a
second, but only once). Without java/javac/mvn or the artifacts the tests skip with the reason;
with CI=true they fail instead, because CI must run them.

`device` is the client under test, chosen by LESHAN_DEVICE: "cpython" (our client in-process),
"micropython" (lwm2m.main on the unix port), "stand-in" (the Leshan library client, which checks
the steps and assertions of the case tests themselves; LESHAN_STAND_IN=1 too); with "-psk"
("cpython-psk", "micropython-psk", "stand-in-psk") the same device registers with a Leshan server
over DTLS PSK, its key added through Leshan's REST security API as an operator would. Unset,
every case runs against our client in-process on CPython and as a micropython process, each in
NoSec and in PSK. A device has:
    endpoint                      the endpoint name it registers with
    psk                           None, or (identity, key) for the "-psk" devices
    start(uri, bootstrap=False, psk=None, lifetime=300, cert=None, fast_retry=False, queue=False)
                                  boot pointed at a server (or a bootstrap server); psk=(identity, key),
                                  cert=(certificate, private key, server CA) DER; fast_retry: one
                                  registration attempt, short DTLS/CoAP timeouts (int-7);
                                  queue: register in queue mode (Q)
    wait_registered()             until the device has the answer to its Register (the server's
                                  REGISTRATION event may come first)
    update()                      a registration update on its own initiative
    deregister()                  de-register and stay off
    send(paths)                   a LwM2M Send of these paths (SenML CBOR) on its own initiative
    set(path, value)              the application changes a value (our devices only; VALUE as text)
    stop()                        power off (de-registers when it can); safe to call twice
    supports(feature) -> bool     formats "TEXT", "TLV", "JSON", "SENML_JSON", "SENML_CBOR", "CBOR",
                                  "OPAQUE", and "x509", "write_attributes", "queue_mode", "send",
                                  "composite", "composite_root", "observe_composite", "mute_send",
                                  "create_delete", "inconsistent_bootstrap", "bootstrap_fallback",
                                  "multi_resource" (/3/0/11), "multi_resource_rw" (/2/0/2 ACL),
                                  "acl" (takes an Access Control instance from the bootstrap
                                  server; has /3303/0),
                                  "lost_session" (handshakes again when the server lost its
                                  DTLS session: int-105 over PSK),
                                  "reboot" (re-registers)
The devices are in leshan_support.py; device_factory below picks one.
"""

import itertools
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/host: certs

from host_sim import leshan
from leshan_support import CPythonDevice, MicroPythonDevice, StandInDevice, psk_pair

DEVICE = os.environ.get("LESHAN_DEVICE") or ("stand-in" if os.environ.get("LESHAN_STAND_IN") == "1" else "")
# Unset, every case runs against our client both ways: in-process on CPython
# and as a micropython process.
DEVICES = [DEVICE] if DEVICE else ["cpython", "micropython", "cpython-psk", "micropython-psk"]
_serial = itertools.count(1)


def _unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail("Leshan is required in CI but unavailable: " + reason, pytrace=False)
    pytest.skip("Leshan unavailable: " + reason)


@pytest.fixture(scope="session")
def leshan_jars():
    try:
        return leshan.fetch()
    except leshan.LeshanUnavailable as e:
        _unavailable(str(e))


def _serve(process):
    try:
        process.start()
    except leshan.LeshanError as e:
        _unavailable(str(e))
    yield process
    process.stop()


@pytest.fixture(scope="session")
def authority():
    """A test CA (tests/host/certs.py) and the certificate both Leshan servers serve on their
    coaps ports (CN 127.0.0.1, the host our client checks); None without python-mbedtls."""
    try:
        import certs
    except ImportError:
        return None
    try:
        ca = certs.Authority()
    except ImportError:
        return None
    crt, key = ca.issue("127.0.0.1")
    ca.server_x509 = (crt, certs.pkcs8(key), ca.ca)
    return ca


@pytest.fixture(scope="session")
def leshan_server(leshan_jars, authority):
    yield from _serve(leshan.LeshanServer(leshan_jars, x509=authority and authority.server_x509))


@pytest.fixture(scope="session")
def leshan_bs(leshan_jars, authority):
    yield from _serve(leshan.LeshanBsServer(leshan_jars, x509=authority and authority.server_x509))


@pytest.fixture(scope="session")
def leshan_ops(leshan_jars):
    yield from _serve(leshan.LeshanOpsServer(leshan_jars))


@pytest.fixture
def ops_events(leshan_ops):
    """The ops server's events from now on (same wait/collect as `events`)."""
    return leshan_ops.events()


@pytest.fixture
def rest(leshan_server):
    return leshan_server.rest


@pytest.fixture
def events(leshan_server):
    """Every server event from now on (REGISTRATION, UPDATED, DEREGISTRATION, NOTIFICATION...)."""
    with leshan_server.events() as stream:
        yield stream


@pytest.fixture
def endpoint(request):
    """A fresh endpoint name per test: the servers live for the whole session."""
    name = request.node.name.replace("test_", "", 1).split("[")[0][:40]
    return "%s-%d" % (name.replace("_", "-"), next(_serial))


def device_factory(jars, endpoint, kind):
    """The device under test."""
    base = kind[:-4] if kind.endswith("-psk") else kind
    if base == "stand-in":
        dev = StandInDevice(jars, endpoint)
    elif base == "cpython":
        dev = CPythonDevice(endpoint)
    elif base == "micropython":
        dev = MicroPythonDevice(endpoint)
    else:
        raise ValueError("LESHAN_DEVICE: unknown device %r" % kind)
    if base != kind:
        dev.psk = psk_pair(endpoint)
    return dev


@pytest.fixture(params=DEVICES)
def device(request, leshan_jars, endpoint):
    dev = device_factory(leshan_jars, endpoint, request.param)
    yield dev
    dev.stop()
    for server in dev.secured:  # the keys register() gave Leshan, once the device is off
        try:
            server.rest.remove_security(dev.endpoint)
        except (leshan.LeshanError, OSError):
            pass  # a private server (int-105) is gone already
