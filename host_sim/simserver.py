"""The embedded LwM2M server (host_sim/server, on aiocoap) listening on a
simulated port instead of a UDP socket; run it in a VirtualTimeLoop."""
from host_sim.aio import sim_context
from host_sim.server import LwM2MServer
from host_sim.server.site import Site


class SimServer(LwM2MServer):
    """LwM2MServer(**settings) whose start() binds the simulated `port`."""

    def __init__(self, port, **settings):
        LwM2MServer.__init__(self, host=port.address[0], port=port.address[1], **settings)
        self.sim_port = port

    async def start(self):
        self.ctx = await sim_context(self.sim_port, Site(self))
        return self
