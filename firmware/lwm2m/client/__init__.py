# The LwM2M client: registration, device management and information reporting.
# Submodules are imported by name (lwm2m.client.attrs, .notify, .registration,
# ...), so a board only loads what it uses.
