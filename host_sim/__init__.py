# The host simulator: CPython only. Runs the firmware modules against a virtual
# clock, a simulated network and modems, and an embedded LwM2M server.
