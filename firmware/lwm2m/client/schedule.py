# Queue-mode sleep scheduling as pure functions of state (no clock, no I/O),
# so a fake clock can drive them through months in a test.
#
# Everything the device must do is a window (earliest, latest, what) in
# seconds of clock.time(): it may be done at any time in [earliest, latest]
# and must be done by latest. A notification held by pmin or forced by pmax is
# a point window (earliest == latest: pmin and pmax are honoured to the
# second); the registration Update may go at any time in the last `gather`
# seconds before its deadline, so it rides along with a wake that happens
# anyway instead of costing one of its own; an application sampling timer
# says how much slack it tolerates.
#
# The device sleeps until the smallest `latest`; at that wake everything whose
# window has opened is done together (one radio session).


def window(at, slack=0, what=None):
    """A window that closes at `at` and opens `slack` seconds earlier."""
    return (at - slack, at, what)


def update_window(deadline, lifetime, gather):
    """The registration Update: due at deadline, may go up to `gather`
    seconds early but never earlier than half the lifetime."""
    return window(deadline, min(gather, lifetime // 2), "update")


def next_wake(windows):
    """The time to wake: the smallest latest of all windows, or None."""
    out = None
    for w in windows:
        if w is not None and (out is None or w[1] < out):
            out = w[1]
    return out


def due(windows, now):
    """What to do at a wake at `now`: every window already open."""
    return [w[2] for w in windows if w is not None and w[0] <= now]


def sleep_ms(windows, now_s, now_ms_frac=0):
    """Milliseconds to sleep from now (0: work is due now), None: nothing
    scheduled (sleep until an external event)."""
    t = next_wake(windows)
    if t is None:
        return None
    d = (t - now_s) * 1000 - now_ms_frac
    return d if d > 0 else 0
