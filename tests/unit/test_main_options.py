# lwm2m.main's timing options (argument parsing only): what reaches the
# Client config and PeerLinks' DTLS settings, and the defaults a real device
# gets without them.
from lwm2m.main import timing


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
