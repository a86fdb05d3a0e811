"""Properties of the client's pure parts and of its request handling, with
hypothesis: bad input gets a clean CoAP error (never 5.00, never a crash),
and the notification timing keeps its promises."""
from hypothesis import given, settings, strategies as st

import client_harness  # noqa: F401  (firmware/ on sys.path)
from lwm2m.error import CoapError
from lwm2m.client import attrs_write as A, notify as N, execargs
from lwm2m.client.attrs import AttributeStore
from lwm2m.client.dispatch import Dispatcher, Server

import sys
import os
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit"))
from client_support import device, req  # noqa: E402

NAMES = st.sampled_from(list(A.NAMES) + ["cancel", "x", ""])
TEXT = st.one_of(st.text(max_size=6), st.sampled_from(["1", "0", "-1", "2.5", "1e3", "nan", "inf", ""]))
QUERY = st.lists(st.one_of(NAMES, st.builds(lambda n, v: n + "=" + v, NAMES, TEXT)), max_size=5)


@settings(max_examples=400, deadline=None)
@given(QUERY, st.sampled_from([(3,), (3, 0), (3303, 0, 5700), (3, 0, 0), (3, 0, 6, 1)]))
def test_write_attributes_is_all_or_nothing_and_only_4_00(query, path):
    m = device()
    s = AttributeStore()
    s.write((3303, 0, 5700), ["pmin=1", "gt=30"], m.type_of)
    before = [(p, s.attached(p)) for p in s.paths()]
    try:
        s.write(path, query, m.type_of)
    except CoapError as e:
        assert e.code == 0x80
        assert [(p, s.attached(p)) for p in s.paths()] == before
        return
    a = s.attached(path)
    A.check(a)  # what was stored is a valid combination


ATTRS = st.fixed_dictionaries({}, optional={
    "pmin": st.integers(0, 100), "pmax": st.integers(0, 200), "gt": st.floats(-50, 50),
    "lt": st.floats(-50, 50), "st": st.floats(0, 20), "edge": st.integers(0, 1)})


@settings(max_examples=400, deadline=None)
@given(ATTRS, st.floats(-100, 100), st.floats(-100, 100), st.integers(0, 1000), st.integers(0, 1000))
def test_next_notify_respects_pmin_and_pmax(attrs, old, new, last, delta):
    now = last + delta
    due = N.next_notify(attrs, old, last, new, now)
    pmin = attrs.get("pmin", 0)
    pmax = attrs.get("pmax")
    if due is not None and due <= now:
        assert now - last >= pmin or (pmax and pmax >= pmin and now - last >= pmax)
    if pmax and pmax >= pmin:
        assert due is not None and due <= max(last + pmax, now)
    if old == new and not (pmax and pmax >= pmin):
        assert due is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=12))
def test_execute_arguments_parse_or_4_00(payload):
    try:
        out = execargs.parse(payload)
    except CoapError as e:
        assert e.code == 0x80
        return
    assert all(0 <= d <= 9 for d, _ in out)


SEG = st.one_of(st.sampled_from(["0", "1", "3", "3303", "0", "6", "5700", "5750", "65535", "70000", "x", ""]),
                st.text(max_size=3))
FORMATS = st.sampled_from([None, 0, 40, 42, 60, 110, 112, 11542, 11543, 11544, 9999])


@settings(max_examples=600, deadline=None)
@given(st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8]), st.lists(SEG, max_size=5), st.binary(max_size=24),
       FORMATS, FORMATS, st.sampled_from([None, 0, 1]), st.lists(st.text(max_size=8), max_size=2))
def test_any_request_gets_a_clean_answer(code, path, payload, ct, accept, observe, query):
    m = device()
    d = Dispatcher(m, default_format=110)
    s = Server(101, AttributeStore())
    r = req(code, [p for p in path if p], payload, ct=ct, accept=accept, observe=observe, query=query)
    try:
        reply = d.handle(r, s)
    except CoapError as e:
        assert 0x80 <= e.code < 0xA0, (e.code, e.message)  # a 4.xx, never 5.00: no crash inside
        return
    assert reply.code >> 5 == 2


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([1, 2, 3, 4, 5, 7]), st.lists(SEG, max_size=4), st.binary(max_size=24), FORMATS, FORMATS)
def test_any_bootstrap_request_gets_a_clean_answer(code, path, payload, ct, accept):
    from lwm2m.client.bootstrap import Bootstrap

    m = device()
    m.add(0, 5, {0: "coap://bs", 1: True, 2: 3})
    b = Bootstrap(m, "fuzz")
    b.start(0)
    r = req(code, [p for p in path if p] or (["bs"] if code == 2 else []), payload, ct=ct, accept=accept)
    try:
        reply = b.handle(r, Dispatcher(m, default_format=110).codec_for, 0)
    except CoapError as e:
        assert 0x80 <= e.code < 0xA0, (e.code, e.message)
        return
    assert reply.code >> 5 == 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=6))
def test_garbage_datagrams_never_escape_the_client(datagrams):
    from client_support import FakeClock, wire
    from lwm2m.client.client import Client

    lc, ls, log = wire()
    c = Client(device(), lc, FakeClock(), {"ep": "fuzz", "resolve": lambda uri: "server"})
    c.start()
    for d in datagrams:
        c.receive(d, "server")
    c.tick()
