# Helpers shared by the unit tests that run on both CPython and MicroPython.
import sys

ON_MICROPYTHON = sys.implementation.name == "micropython"


class SkipTest(Exception):
    pass


def cpython_only(why):
    """Mark a test that cannot run on MicroPython; the runner reports it as skipped."""

    def mark(fn):
        if not ON_MICROPYTHON:
            return fn

        def skipped(*args):
            raise SkipTest(why)

        return skipped

    return mark


def raises(exc_type, fn, *args):
    """Call fn(*args) and return the exception of exc_type it must raise."""
    try:
        fn(*args)
    except exc_type as e:
        return e
    raise AssertionError("%s did not raise %s" % (fn, exc_type.__name__))


def unhex(s):
    """bytes from hex text with spaces, for readable golden vectors."""
    import binascii

    return binascii.unhexlify(s.replace(" ", "").replace("\n", ""))
