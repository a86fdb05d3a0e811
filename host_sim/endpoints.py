"""CoAP endpoints (the firmware's Endpoint, unchanged) placed on a simulated network."""
import random

from lwm2m.coap.endpoint import Endpoint

from host_sim.network import DEFAULT_MTU


def coap_endpoint(net, node, port=None, handler=None, params=None, mtu=DEFAULT_MTU):
    """An Endpoint on a new port of `node`, attached to the simulator.

    Its randomness (MIDs, tokens, ACK timeout spread) comes from a Random seeded
    by the network seed and the node name, so runs repeat exactly. Make the node
    first (net.node(name, nat=...)) to put it behind a NAT.
    """
    link = net.node(node).port(port, mtu=mtu)
    rng = random.Random("%s:%s:%s:coap" % (net.seed, node, link.address[1]))
    ep = Endpoint(link, net.sim.clock, handler=handler, params=params, rand=rng.getrandbits)
    link.attach(ep)
    return ep


class ClientActor:
    """Drives a poll-style firmware client (lwm2m.client.Client: .endpoint,
    .step(), .next_timeout_ms()) as a simulator actor: datagrams go to its
    endpoint at delivery time, and its LwM2M timers (registration updates,
    pmin/pmax) run when due, all on the virtual clock."""

    def __init__(self, client):
        self.client = client

    def receive(self, data, peer):
        self.client.endpoint.receive(data, peer)
        self.client.step()

    def tick(self):
        self.client.endpoint.tick()
        self.client.step()

    def next_timeout_ms(self):
        return self.client.next_timeout_ms()


def lwm2m_client(net, node, model, config, mtu=DEFAULT_MTU):
    """The firmware's LwM2M Client on a new port of `node`, driven by the
    simulator. config as for Client; its "resolve" defaults to reading
    coap://host:port URIs as simulated (host, port) addresses."""
    from lwm2m.client.client import Client

    endpoint = coap_endpoint(net, node, mtu=mtu, params=config.get("params"))
    config = dict(config)
    config.setdefault("resolve", _sim_address)
    client = Client(model, endpoint, net.sim.clock, config)
    endpoint.link.attach(ClientActor(client))  # in the endpoint's place
    return client


def _sim_address(uri):
    # coap://10.0.0.3:5683 -> ("10.0.0.3", 5683); no DNS on the simulated network.
    rest = uri.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = rest.rpartition(":")
    return (host.strip("[]"), int(port)) if host else (rest, 5683)
