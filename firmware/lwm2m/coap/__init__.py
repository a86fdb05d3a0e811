# CoAP (RFC 7252, 7641, 7959): message.py (codec), endpoint.py (Endpoint, both
# roles), exchange.py (what is in flight), params.py (transmission
# parameters), block.py (block-wise). Import the module you need; nothing is
# loaded here.
