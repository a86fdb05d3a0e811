# Runs on either runtime: GET and PUT over CoAP/TCP with our Endpoint.
#   <python|micropython> coap_tcp_get.py <port>
import sys

from lwm2m.clock import SystemClock
from lwm2m.coap.endpoint import Endpoint
from lwm2m.coap.message import Message, GET, PUT
from lwm2m.coap.params import Params
from lwm2m.link.tcp import TcpLink

link = TcpLink("127.0.0.1", int(sys.argv[1]))
ep = Endpoint(link, SystemClock(), params=Params(max_body=16384))


def ask(code, path, payload=b""):
    msg = Message(code, payload=payload)
    msg.set_uri_path(path)
    ex = ep.request(msg, link.peer)
    for _ in range(100):
        if ex.done:
            break
        ep.poll(50)
    return ex.error, ex.response.code if ex.response else None, len(ex.response.payload) if ex.response else 0


print(ask(PUT, "/store", b"from the device"))
print(ask(GET, "/store"))
print(ask(GET, "/big"))
link.close()
