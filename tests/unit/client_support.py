# A small device on the real data model, and CoAP requests built with the
# real Message class, for the client's unit tests.
from lwm2m.model import Model
from lwm2m.coap.message import Message, CONTENT_FORMAT, ACCEPT, OBSERVE

GET, POST, PUT, DELETE, FETCH, IPATCH = 1, 2, 3, 4, 5, 7
SENML_JSON = 110


def device():
    m = Model()
    m.add(0, 0, {0: "coap://127.0.0.1:5683", 1: False, 2: 3, 10: 101})
    m.add(1, 0, {0: 101, 1: 300, 6: False, 7: "U"})
    m.executed = []
    m.add(3, 0, {0: "ACME", 6: {0: 1, 1: 5}, 9: 90, 16: "U"})
    m.bind((3, 0, 4), execute=lambda args: m.executed.append(((3, 0, 4), args)))
    m.add(3303, 0, {5700: 21.5, 5701: "Cel"})
    m.add(3303, 1, {5700: 19.0})
    return m


def req(code, path, payload=b"", ct=None, accept=None, observe=None, query=()):
    m = Message(code, token=b"\x01")
    m.set_uri_path(path)
    for q in query:
        m.add_query(q)
    if ct is not None:
        m.add_option(CONTENT_FORMAT, ct)
    if accept is not None:
        m.add_option(ACCEPT, accept)
    if observe is not None:
        m.add_option(OBSERVE, observe)
    m.payload = payload
    return m
