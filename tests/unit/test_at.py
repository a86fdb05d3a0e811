# The AT channel against scripted modem output: framing facts from modems.md.
from fake_uart import FakeClock, ScriptUart
from support import raises
from lwm2m.modem.at import AtChannel, AtError, AtTimeout, RUI3_OK, RUI3_ERRORS


def channel(script, **kw):
    uart = ScriptUart(script)
    return AtChannel(uart, FakeClock(), **kw), uart


def test_command_returns_information_lines_until_ok():
    at, uart = channel([(b"AT+CGMR\r", b"\r\nBG96MAR02A07M1G\r\n\r\nOK\r\n")])
    assert at.cmd("AT+CGMR") == [b"BG96MAR02A07M1G"]
    assert uart.written == [b"AT+CGMR\r"]


def test_echo_before_ate0_is_ignored():
    at, _ = channel([(b"ATE0\r", b"ATE0\r\r\nOK\r\n")])
    assert at.cmd("ATE0") == []


def test_cme_error_raises_with_the_result_line():
    at, _ = channel([(b"AT+QIACT=1\r", b"\r\n+CME ERROR: 50\r\n")])
    e = raises(AtError, at.cmd, "AT+QIACT=1")
    assert e.args[0] == b"+CME ERROR: 50"


def test_urc_between_command_and_answer_goes_to_the_urc_handler():
    seen = []
    at, _ = channel(
        [(b"AT+CSQ\r", b'\r\n+QIURC: "recv",0\r\n+CSQ: 20,99\r\n\r\nOK\r\n')],
        urc_prefixes=(b"+QIURC:",),
        on_urc=seen.append,
    )
    assert at.cmd("AT+CSQ", response=b"+CSQ:") == [b"+CSQ: 20,99"]
    assert seen == [b'+QIURC: "recv",0']


def test_response_prefix_that_is_also_a_urc_prefix_is_the_answer_while_pending():
    at, _ = channel(
        [(b"AT+CEREG?\r", b"\r\n+CEREG: 2,1\r\n\r\nOK\r\n")],
        urc_prefixes=(b"+CEREG:",),
    )
    assert at.cmd("AT+CEREG?", response=b"+CEREG:") == [b"+CEREG: 2,1"]
    assert at.urcs == []


def test_prompt_without_line_ending_then_data_then_send_ok():
    at, uart = channel([(b"AT+QISEND=0,5\r", b"> "), (b"hello", b"\r\nSEND OK\r\n")])
    assert at.cmd("AT+QISEND=0,5", prompt=b"> ", data=b"hello") == []
    assert uart.written == [b"AT+QISEND=0,5\r", b"hello"]


def test_send_fail_is_an_error():
    at, _ = channel([(b"AT+QISEND=0,1\r", b"> "), (b"x", b"\r\nSEND FAIL\r\n")])
    e = raises(AtError, at.cmd, "AT+QISEND=0,1", 5000, None, b"> ", b"x")
    assert e.args[0] == b"SEND FAIL"


def test_ublox_at_sign_prompt():
    at, uart = channel([(b"AT+USOST=0,\"127.0.0.1\",5683,2\r", b"@"), (b"\x01\x02", b"\r\n+USOST: 0,2\r\n\r\nOK\r\n")])
    assert at.cmd('AT+USOST=0,"127.0.0.1",5683,2', prompt=b"@", data=b"\x01\x02", prompt_delay_ms=50) == [b"+USOST: 0,2"]


def test_raw_payload_announced_by_a_line_may_contain_crlf_and_ok():
    payload = b"\r\nOK\r\n\x00\xff"
    got = []

    def on_line(line):
        if line.startswith(b"+QIRD: "):
            n = int(line[7:].split(b",")[0])
            got.append(at.read_raw(n))

    at, _ = channel([(b"AT+QIRD=0,1500\r", b"\r\n+QIRD: 8,\"127.0.0.1\",5683\r\n" + payload + b"\r\nOK\r\n")])
    at.cmd("AT+QIRD=0,1500", response=b"+QIRD:", on_line=on_line)
    assert got == [payload]


def test_direct_push_urc_with_raw_data():
    got = []

    def on_urc(line):
        if line.startswith(b'+QIURC: "recv"'):
            n = int(line.split(b",")[2])
            got.append(at.read_raw(n))

    at, _ = channel([(None, b'\r\n+QIURC: "recv",0,3\r\n\n\r\x00')], urc_prefixes=(b"+QIURC:",), on_urc=on_urc)
    at.poll(0)
    assert got == [b"\n\r\x00"]


def test_lost_response_times_out_on_the_clock():
    at, _ = channel([])
    raises(AtTimeout, at.cmd, "AT", 300)
    assert at.clock.ms >= 300


def test_two_phase_command_result_arrives_later_as_urc():
    at, _ = channel(
        [(b'AT+QIOPEN=1,0,"UDP","127.0.0.1",5683,0,1\r', b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n")],
        urc_prefixes=(b"+QIOPEN:",),
    )
    at.cmd('AT+QIOPEN=1,0,"UDP","127.0.0.1",5683,0,1')
    assert at.wait_urc(b"+QIOPEN:", 150000) == b"+QIOPEN: 0,0"


def test_wait_urc_gives_none_after_its_timeout():
    at, _ = channel([])
    assert at.wait_urc(b"+EVT:JOINED", 1000) is None


def test_rui3_busy_error_is_an_error_result():
    at, _ = channel([(b"AT+SEND=2:0102\r\n", b"AT_BUSY_ERROR\r\n")], eol=b"\r\n", ok=RUI3_OK, errors=RUI3_ERRORS)
    e = raises(AtError, at.cmd, "AT+SEND=2:0102")
    assert e.args[0] == b"AT_BUSY_ERROR"


def test_garbage_without_line_ending_is_dropped_not_hoarded():
    at, _ = channel([(None, b"\x00" * 5000)])
    at.poll(0)
    assert at.urcs == []


def test_inline_data_line_is_cut_by_its_length_not_its_crlf():
    at, _ = channel(
        [(b"AT+CARECV=0,1460\r", b"\r\n+CARECV: 6,a\r\nb\r\n\r\n\r\nOK\r\n")],
        inline_data=(b"+CARECV: ",),
    )
    assert at.cmd("AT+CARECV=0,1460", response=b"+CARECV:") == [b"+CARECV: 6,a\r\nb\r\n"]


def test_inline_data_prefix_without_length_is_an_ordinary_line():
    at, _ = channel([(b"AT+CARECV=0,1460\r", b"\r\n+CARECV: 0\r\n\r\nOK\r\n")], inline_data=(b"+CARECV: ",))
    assert at.cmd("AT+CARECV=0,1460", response=b"+CARECV:") == [b"+CARECV: 0"]


def test_unhex_reads_a_modems_hex_in_either_case():
    from lwm2m.modem.at import unhex

    assert unhex("00AB7f") == b"\x00\xab\x7f"
    assert unhex("") == b""
