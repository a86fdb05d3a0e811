# lwm2m.main's options (argument parsing only): the timing options, what reaches the
# Client config and PeerLinks' DTLS settings, and the defaults a real device gets without
# them; the accounts --bootstrap / --bootstrap-uri put in the Security and Server objects.
from lwm2m.main import timing

from support import raises


def test_timing_defaults_fall_back_to_bootstrap_and_keep_spec_timers():
    config, dtls, argv = timing(["coaps://h:5684", "ep"])
    assert config == {"server_defaults": {}}  # /1/x/16 absent is true: the client falls back
    assert dtls == {} and argv == ["coaps://h:5684", "ep"]


def test_int_7_timing_options_reach_the_client_and_dtls():
    config, dtls, argv = timing(["u", "--retry", "1,2,3,4", "e", "--no-fallback", "--dtls-timeout", "3,1",
                                 "--ack-timeout", "300"])
    assert argv == ["u", "e"]
    assert config["server_defaults"] == {16: False, 17: 1, 18: 2, 19: 3, 20: 4}
    assert config["params"].ack_timeout == 300
    assert dtls == {"handshake_timeout_ms": 3000, "handshake_attempts": 1}


def test_retry_may_give_count_and_timer_only():
    config, dtls, argv = timing(["--retry", "2,5", "--dtls-timeout", "10"])
    assert config["server_defaults"] == {17: 2, 18: 5}
    assert dtls == {"handshake_timeout_ms": 10000} and argv == []


def test_int_6_bootstrap_uri_beside_the_server_uri():
    from lwm2m.main import accounts

    bootstrap, bs_uri, argv = accounts(["coap://h:5683", "--bootstrap-uri", "coap://bs:5783", "ep"])
    assert (bootstrap, bs_uri, argv) == (False, "coap://bs:5783", ["coap://h:5683", "ep"])
    assert accounts(["u", "ep", "--bootstrap"]) == (True, None, ["u", "ep"])
    assert accounts(["u", "ep"]) == (False, None, ["u", "ep"])


def test_bootstrap_and_bootstrap_uri_together_or_a_bad_uri_are_refused():
    from lwm2m.main import accounts

    e = raises(ValueError, accounts, ["u", "e", "--bootstrap", "--bootstrap-uri", "coap://bs"])
    assert "one bootstrap server" in e.args[0]
    raises(ValueError, accounts, ["u", "e", "--bootstrap-uri", "bs:5783"])
    raises(ValueError, accounts, ["u", "e", "--bootstrap-uri", "coap://bs:port"])


def test_int_7_bootstrap_uri_gives_both_accounts():
    # the bootstrap account at /0/0 (where a bootstrap server's writes of /0/1 do not reach it),
    # the LwM2M server's at /0/1 + /1/1; /1/1/16 absent: fall back to bootstrap on failure
    from lwm2m.main import build

    model, _, _ = build("coap://h:5683", 60, bs_uri="coap://bs:5783", out=lambda line: None)
    assert sorted(model.instances(0)) == [0, 1] and model.instances(1) == [1]
    assert (model.get((0, 0, 0)), model.get((0, 0, 1)), model.get((0, 0, 2))) == ("coap://bs:5783", True, 3)
    assert (model.get((0, 1, 0)), model.get((0, 1, 1)), model.get((0, 1, 10))) == ("coap://h:5683", False, 1)
    assert model.get((1, 1, 0)) == 1 and model.get((1, 1, 1)) == 60


def test_psk_secures_a_coaps_bootstrap_uri_too():
    from lwm2m.main import build

    psk = (b"dev", b"\x01" * 16)
    model, _, _ = build("coaps://h", 60, psk=psk, bs_uri="coaps://bs", out=lambda line: None)
    for iid in (0, 1):
        assert (model.get((0, iid, 2)), model.get((0, iid, 3)), model.get((0, iid, 5))) == (0, b"dev", b"\x01" * 16)
    model, _, _ = build("coaps://h", 60, psk=psk, bs_uri="coap://bs", out=lambda line: None)
    assert model.get((0, 0, 2)) == 3  # a plain bootstrap server stays NoSec
