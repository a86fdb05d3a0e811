# When an observation must notify (LwM2M 1.1.1 5.1.2, 6.4.x; 1.2 edge/epmin/
# epmax), as pure functions of the attributes, what was last reported and the
# value now. They return absolute deadlines in seconds (clock.time()), so the
# same answer drives the notification loop and a queue-mode sleep scheduler:
# "sleep until the smallest deadline of all observations".
#
# Decisions the spec leaves open, taken here:
# - a change is measured against the last *reported* value, so a value that
#   moves and comes back within pmin reports nothing;
# - when several of gt, lt, st are set, any one of them satisfied notifies;
# - gt is crossed when (old > gt) != (new > gt), lt when (old < lt) != (new < lt);
# - pmax (or epmax) smaller than pmin (epmin), or 0, is ignored, as 5.1.2 says.


def _num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def significant(attrs, old, new):
    """True when going from the last reported value old to new must be
    reported once pmin allows (before any pmax consideration)."""
    if old is None:
        return True
    if type(old) is type(new) and old == new:
        return False
    edge = attrs.get("edge")
    if edge is not None and isinstance(new, bool) and isinstance(old, bool):
        return new if edge else old
    gt, lt, st = attrs.get("gt"), attrs.get("lt"), attrs.get("st")
    if (gt is None and lt is None and st is None) or not (_num(old) and _num(new)):
        return True
    if gt is not None and (old > gt) != (new > gt):
        return True
    if lt is not None and (old < lt) != (new < lt):
        return True
    return st is not None and abs(new - old) >= st


def _period(attrs, lo, hi):
    a = attrs.get(lo) or 0
    b = attrs.get(hi)
    return a, (b if b and b >= a else None)


def next_notify(attrs, last_value, last_time, value, now):
    """When the next notification is due: an absolute time in seconds (<= now
    means send now), or None when nothing is due until the value changes."""
    pmin, pmax = _period(attrs, "pmin", "pmax")
    due = None
    if significant(attrs, last_value, value):
        due = last_time + pmin
        if due < now:
            due = now
    if pmax is not None:
        forced = last_time + pmax
        if due is None or forced < due:
            due = forced
    return due


def next_sample(attrs, last_eval):
    """When the value must be read again to evaluate the observation (epmax),
    or None when changes are only seen through the model's change events."""
    epmin, epmax = _period(attrs, "epmin", "epmax")
    return None if epmax is None else last_eval + epmax


def may_sample(attrs, last_eval, now):
    """False while epmin since the last evaluation has not passed: a change
    event then waits until last_eval + epmin (returned by sample_after)."""
    return now >= sample_after(attrs, last_eval)


def sample_after(attrs, last_eval):
    return last_eval + (attrs.get("epmin") or 0)


def earliest(*times):
    """The smallest of the deadlines that are not None, or None."""
    out = None
    for t in times:
        if t is not None and (out is None or t < out):
            out = t
    return out


def confirmable(attrs, default=False):
    """CON or NON for a notification: the con attribute (1.2), else the
    server's Default Notification Mode (/1/x/26, 1 = CON)."""
    con = attrs.get("con")
    return bool(default) if con is None else con == 1
