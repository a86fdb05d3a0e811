"""Embedded LwM2M server for the host simulator and the interop tests
(CPython, aiocoap). See docs/server.md."""
import os
import sys

# The codecs are the firmware's (lwm2m.codec): make them importable however we were started.
_FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "firmware")
if _FIRMWARE not in sys.path:
    sys.path.insert(0, _FIRMWARE)

# pylint: disable=wrong-import-position
from .events import Event, Events
from .exchange import Observation, Result
from ..names import FORMATS, content_format, parse_path
from .registration import Registration
from .operations import UnknownEndpoint
from .server import DEFAULT_PORT, LwM2MServer

__all__ = [
    "DEFAULT_PORT", "Event", "Events", "FORMATS", "LwM2MServer", "Observation", "Registration", "Result",
    "UnknownEndpoint", "content_format", "parse_path",
]
