# Datagram links: send(data, peer), recv(timeout_ms) -> (data, peer) or None,
# close(), mtu. See docs/design.md, "The datagram link".
