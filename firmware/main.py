# The board's boot script (copied to the board's flash as main.py by
# `make deploy`): read board.json, add the application's objects, run the client.
import json

with open("board.json") as f:
    cfg = json.load(f)

if "fota" in cfg:
    # Boot the firmware slot an update switched to (docs/fota.md), before
    # anything else imports the client.
    from lwm2m.fota.store import FileStore
    from lwm2m.fota import slots

    slots.boot(FileStore(cfg["fota"].get("dir", "fw")))

from lwm2m import app  # noqa: E402

if cfg["port"] == "esp32":
    from lwm2m.port import esp32 as port
elif cfg["port"] == "nrf":
    from lwm2m.port import nrf as port
else:
    from lwm2m.port import unix as port


def setup(model):
    # The example application object: IPSO Temperature (3303). A real board
    # binds 5700 to its sensor with model.bind((3303, 0, 5700), read=...).
    model.add(3303, 0, {5700: 21.0, 5701: "Cel"})


app.run(cfg, port, setup=setup, trace=lambda text: print("#", text))
