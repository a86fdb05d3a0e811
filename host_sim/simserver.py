"""The embedded LwM2M server (host_sim/server, on aiocoap) listening on a
simulated port instead of a UDP socket; run it in a VirtualTimeLoop."""
from host_sim.aio import sim_context
from host_sim.server import LwM2MServer


class SimServer(LwM2MServer):
    """LwM2MServer(**settings) whose start() binds the simulated `port`."""

    def __init__(self, port, **settings):
        LwM2MServer.__init__(self, host=port.address[0], port=port.address[1], **settings)
        self.sim_port = port

    async def start(self):
        # start(ctx) installs the server's hooks (cancel tokens, NAT moves, RST) on it too
        return await LwM2MServer.start(self, await sim_context(self.sim_port, self.site()))
