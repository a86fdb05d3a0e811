# Simulated modems: each speaks its AT dialect byte for byte (from
# ../shared/reference/modems.md), bridges datagrams to a network, and
# misbehaves on request. They expose the UART side a driver talks to
# (write(data), read(n) -> bytes | None) and run on any clock.
