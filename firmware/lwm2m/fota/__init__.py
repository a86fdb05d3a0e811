# Firmware update (LwM2M object 5): package format, slots, the state machine.
# Import the submodule you need; this file stays empty so a board that never
# updates pays nothing for it.
