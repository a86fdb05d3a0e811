# The host simulator: CPython only. Runs the firmware modules against a virtual
# clock, a simulated network and modems, and an embedded LwM2M server.
# `make sim`: each scenario in host_sim/scenarios prints its trace.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware"))

from host_sim.scenarios import coap_demo, fota_demo, lorawan_demo, lwm2m_demo, queue_demo  # noqa: E402

try:
    coap_demo.main()
    lwm2m_demo.main()
    fota_demo.main()
    queue_demo.main()
    lorawan_demo.main()
except BrokenPipeError:  # `make sim | head`
    sys.stderr.close()
