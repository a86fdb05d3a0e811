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
