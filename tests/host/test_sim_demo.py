# `make sim`'s CoAP scenario: it runs, answers what it should, and repeats exactly.
from host_sim.scenarios import coap_demo


def run(seed=1):
    lines = []
    demo = coap_demo.main(echo=lines.append, seed=seed)
    return demo, lines


def test_demo_outcomes():
    demo, lines = run()
    outcomes = dict(demo.results)
    assert outcomes["GET /temp"] == "2.05, 4 B"
    assert outcomes["PUT /temp 22.0"] == "2.04, 0 B"
    assert outcomes["POST /log"] == "2.01, 0 B"
    assert outcomes["GET /nothing (4.04 expected)"].startswith("4.04")
    assert outcomes["GET /big (1 KB, Block2)"] == "2.05, 1024 B"
    assert demo.resources.values["upload"] == bytes(700)
    assert [r for r in demo.results if "lossy" in r[0] and r[1] != "2.05, 4 B"] == []
    assert any("client got 3 notifications" in line for line in lines)
    assert not demo.server.observations  # the Observe=1 GET cancelled it
    assert any("B2:3/0/256" in line for line in lines)
    assert any("B1:2/0/256" in line for line in lines)
    assert any("[LOST]" in line for line in lines)
    assert any("[AGAIN]" in line for line in lines)  # a retransmission
    assert any("100.64.0.1:40001" in line for line in lines)  # the NAT rebound
    assert outcomes["GET /temp (after the NAT forgot us: a new source address)"] == "2.05, 4 B"


def test_demo_repeats_exactly_for_a_seed():
    assert run(2)[1] == run(2)[1]
