# Object 5 (Firmware Update): the state machine, push, pull, checks, slot
# switch and rollback, on the real model and CoAP engine (both runtimes).
from support import raises
from coap_fakes import shuttle
from fota_support import Device, Flash, package, files
from lwm2m.error import CoapError
from lwm2m.coap.message import Message, decode, BLOCK1, BLOCK2
from lwm2m.fota import slots, sig
from lwm2m.fota.update import DOWNLOAD

IDLE, DOWNLOADING, DOWNLOADED, UPDATING = 0, 1, 2, 3


def _pointer(d):
    return slots.read(d.store)


def _running_files_intact(d):
    """The running slot's files are exactly those of its manifest version."""
    if not d.slot:
        return True
    for path, data in files(3, 300, b"v2"):
        f = d.store.open(d.slot + "/" + path, "rb")
        ok = f.read() == data
        f.close()
        if not ok:
            return False
    return True


def test_object5_resources_when_idle():
    d = Device()
    recs = dict((r[0], r[2]) for r in d.model.read((5, 0)))
    assert recs[(5, 0, 3)] == IDLE and recs[(5, 0, 5)] == 0
    assert recs[(5, 0, 1)] == "" and recs[(5, 0, 6)] == "" and recs[(5, 0, 7)] == ""
    assert recs[(5, 0, 8, 0)] == 0  # CoAP
    assert recs[(5, 0, 9)] == 2  # push and pull
    assert d.get(3, 3) == "1.0.0"  # Device Firmware Version: the factory image


def test_update_executed_outside_downloaded_is_405():
    d = Device()
    assert raises(CoapError, d.model.execute, (5, 0, 2), b"").code == 0x85
    assert raises(CoapError, d.model.execute, (5, 0, 10), b"").code == 0x85  # Cancel with nothing to cancel


def test_push_block1_is_streamed_block_by_block():
    d = Device(mtu=200)  # 128-byte blocks
    p = package(size=300)
    seen = []

    def trace(direction, peer, data):
        if direction == "tx":
            m = decode(data)
            seen.append((m.code, m.block1(), d.store.size(DOWNLOAD)))

    d.ep.trace = trace
    ex = d.push(p)
    assert ex.response.code == 0x44
    n = (len(p) + 127) // 128
    # 2.31 Continue with Block1 (num, M=1, szx 3) for each block but the last,
    # and the download file holds exactly the blocks received so far.
    assert seen[0] == (0x5F, (0, 1, 3), 128)
    assert seen[1] == (0x5F, (1, 1, 3), 256)
    assert seen[n - 1] == (0x44, (n - 1, 0, 3), len(p))
    assert d.get(3) == DOWNLOADED and d.get(5) == 0
    assert d.get(6) == "lwm2m-fw" and d.get(7) == "2.0.0"
    assert d.store.size(DOWNLOAD) == -1  # unpacked, the package itself is gone


def test_update_switches_slot_reboots_and_new_version_reports_success():
    d = Device(mtu=200)
    d.push(package(size=300))
    d.update()
    assert d.get(3) == UPDATING and d.reboots == 1
    assert _pointer(d) == ("a", "", slots.SWITCHED)
    d.boot()
    assert d.slot == "a" and d.get(3, 3) == "2.0.0"
    assert d.get(3) == UPDATING  # on trial until it registers
    d.fu.registered()
    assert d.get(3) == IDLE and d.get(5) == 1
    assert _pointer(d) == ("a", "", slots.CONFIRMED)
    assert _running_files_intact(d)
    # The next update goes to the other slot, the running one is not touched.
    d.push(package(version="3.0.0", size=300))
    assert d.fu.target == "b" and d.get(3) == DOWNLOADED


def test_empty_package_write_cancels_to_idle():
    d = Device(mtu=200)
    d.push(package(size=300))
    assert d.get(3) == DOWNLOADED
    d.model.write((5, 0, 0), [((5, 0, 0), b"\x00")])
    assert d.get(3) == IDLE and d.get(5) == 0
    assert not d.store.isdir("a")


def test_empty_uri_write_cancels_download():
    d = Device(mtu=200)
    d.repo.files["fw/p"] = package(size=300)
    d.model.write((5, 0, 1), [((5, 0, 1), "coap://repo/fw/p")])
    d.fu.step()  # first GET out, no answer yet
    assert d.get(3) == DOWNLOADING
    d.model.write((5, 0, 1), [((5, 0, 1), "")])
    d.run()
    assert d.get(3) == IDLE and d.get(5) == 0 and d.get(1) == ""
    assert d.store.size(DOWNLOAD) == -1


def test_cancel_resource_gives_result_10():
    d = Device(mtu=200)
    d.push(package(size=300))
    d.model.execute((5, 0, 10), b"")
    assert d.get(3) == IDLE and d.get(5) == 10


def test_pull_block2_size_follows_link_mtu():
    for mtu, szx in ((1152, 6), (200, 3), (100, 1)):
        d = Device(mtu=mtu)
        gets = []
        d.ep.trace = lambda dr, peer, data: dr == "tx" and gets.append(decode(data).block2())
        d.pull(package(size=300))
        assert d.get(3) == DOWNLOADED, mtu
        assert gets[0] == (0, 0, szx) and gets[1] == (1, 0, szx), (mtu, gets[:2])


def _lossy_pull(d, p, drop_after):
    """Pull p, losing every datagram to the device after drop_after blocks
    until the first GET gives up, then a healthy network."""
    d.repo.files["fw/p"] = p
    d.model.write((5, 0, 1), [((5, 0, 1), "coap://repo/fw/p")])
    d.fu.step()
    got = 0
    while got < drop_after:
        shuttle(d.server, d.ep, 1)
        got += 1
    d.server.link.sent = []  # the network goes: responses lost ...
    while d.fu._ex is not None and d.fu._todo == 0:
        d.ep.link.sent = []  # ... and retransmissions too
        d.clock.advance(1000)
        d.ep.tick()


def test_pull_resumes_from_last_block_after_network_loss():
    d = Device(mtu=200)
    p = package(size=300)
    _lossy_pull(d, p, 3)
    assert d.get(3) == DOWNLOADING
    have = d.store.size(DOWNLOAD)
    assert have > 0
    gets = []
    d.ep.trace = lambda dr, peer, data: dr == "tx" and gets.append(decode(data).block2())
    d.run()
    assert gets[0][0] == have // 128 and gets[0][0] > 0  # not from zero
    assert d.get(3) == DOWNLOADED and d.get(5) == 0


def test_pull_gives_up_with_result_4_and_same_uri_resumes():
    d = Device(mtu=200, retries=0)
    p = package(size=300)
    _lossy_pull(d, p, 2)
    d.fu.step()
    assert d.get(3) == IDLE and d.get(5) == 4
    gets = []
    d.ep.trace = lambda dr, peer, data: dr == "tx" and gets.append(decode(data).block2())
    d.model.write((5, 0, 1), [((5, 0, 1), "coap://repo/fw/p")])
    d.run()
    assert gets[0][0] > 0 and d.get(3) == DOWNLOADED


def test_pull_resumes_after_reset_from_stored_blocks():
    flash = Flash()
    d = Device(flash, mtu=200)
    p = package(size=300)
    d.repo.files["fw/p"] = p
    d.model.write((5, 0, 1), [((5, 0, 1), "coap://repo/fw/p")])
    d.fu.step()
    for _ in range(3):
        shuttle(d.server, d.ep, 1)
    stored = d.store.size(DOWNLOAD)
    d.boot()  # reset
    assert d.get(3) == DOWNLOADING and d.get(1) == "coap://repo/fw/p"
    gets = []
    d.ep.trace = lambda dr, peer, data: dr == "tx" and gets.append(decode(data).block2())
    d.run()
    assert gets[0][0] == stored // 128 > 0
    assert d.get(3) == DOWNLOADED


def test_pull_bad_uris():
    for uri, result in (("http://repo/fw", 9), ("coaps://repo/fw", 9), ("no-scheme", 7),
                        ("coap://", 7), ("coap://host:99999/x", 7), ("coap://repo/missing", 7)):
        d = Device()
        d.model.write((5, 0, 1), [((5, 0, 1), uri)])
        d.run()
        assert (d.get(3), d.get(5)) == (IDLE, result), uri


def test_bad_packages_each_report_their_code_and_leave_firmware_alone():
    key = b"secret"
    big = package(n=3, size=2000)
    cases = (
        (package(size=300)[:-10], 5, {}),  # truncated
        (package(size=300)[:-1] + b"!", 5, {}),  # wrong file hash
        (package(board="other"), 6, {}),  # wrong board
        (b"GIF89a" + bytes(300), 6, {}),  # not a package
        (package(size=300), 5, {"keys": {sig.HMAC: key}}),  # unsigned, board wants a signature
        (big, 2, {"flash": Flash(capacity=len(big) + 1000)}),  # too large for free flash
    )
    for data, result, cfg in cases:
        for how in ("push", "pull"):
            flash = cfg.get("flash") or Flash()
            d = Device(Flash(flash.capacity), mtu=200, **dict((k, v) for k, v in cfg.items() if k != "flash"))
            if how == "push":
                d.push(data)
            else:
                d.pull(data)
            assert (d.get(3), d.get(5)) == (IDLE, result), (how, result)
            assert sorted(d.flash.files) == ["fota.st"], (how, result, sorted(d.flash.files))
            assert _pointer(d) == ("", "", 0)


def test_signed_package_installs_when_board_has_key():
    key = b"secret"
    d = Device(mtu=200, keys={sig.HMAC: key})
    d.push(package(size=300, sig_type=sig.HMAC, sign=lambda h: sig.hmac_sha256(key, h)))
    assert d.get(3) == DOWNLOADED


def test_new_firmware_not_registering_in_time_rolls_back_with_result_8():
    d = Device(mtu=200, deadline=60)
    d.push(package(size=300))
    d.update()
    d.boot()
    assert d.slot == "a"
    d.clock.advance(59000)
    d.fu.step()
    assert d.reboots == 1
    d.clock.advance(2000)
    d.fu.step()
    assert d.reboots == 2
    d.boot()
    assert d.slot == "" and d.get(3, 3) == "1.0.0"
    assert d.get(3) == IDLE and d.get(5) == 8
    assert not d.store.isdir("a")


def test_new_firmware_crashing_before_registering_rolls_back_with_result_8():
    d = Device(mtu=200)
    d.push(package(size=300))
    d.update()
    d.boot()  # trial boot; it dies before registering
    d.boot()
    assert d.slot == "" and d.get(3) == IDLE and d.get(5) == 8


def _push_all_the_way(d):
    d.push(package(size=300))
    d.update()
    d.boot()
    d.fu.registered()


def _pull_all_the_way(d):
    d.pull(package(size=300))
    d.update()
    d.boot()
    d.fu.registered()


def _power_cuts(scenario, stride):
    """Run scenario with the power cut at every operation boundary (after each
    block written, each rename...), one byte before each, and every stride
    bytes; after each cut the device boots again and must run a version
    whose files are intact and report a result that matches it."""
    flash = Flash()
    scenario(Device(flash, mtu=200))
    cuts = {}
    for m in flash.marks:
        cuts[m] = cuts[m - 1] = True
    for c in range(0, flash.spent + 1, stride):
        cuts[c] = True
    outcomes = {}
    for cut in sorted(cuts):
        flash = Flash()
        d = Device(flash, mtu=200)
        flash.cut_after(cut)
        try:
            scenario(d)
        except BaseException as e:  # PowerCut
            assert type(e).__name__ == "PowerCut", repr(e)
        d.boot()  # power back: boots whatever is there ...
        d.run()  # ... finishes what it can by itself ...
        d.fu.registered()  # ... and registers
        slot = d.slot
        assert slot in ("", "a")
        assert _running_files_intact(d), cut
        assert d.get(3, 3) == ("2.0.0" if slot else "1.0.0")
        if slot:
            assert (d.get(3), d.get(5)) == (IDLE, 1), cut
        else:
            assert (d.get(3), d.get(5)) in ((IDLE, 0), (IDLE, 4), (IDLE, 8), (DOWNLOADED, 0),
                                            (DOWNLOADING, 0)), (cut, d.get(3), d.get(5))
        key = (slot, d.get(3), d.get(5))
        outcomes[key] = outcomes.get(key, 0) + 1
    return outcomes


def test_power_cut_at_any_point_of_a_push_update_boots_a_working_version():
    out = _power_cuts(_push_all_the_way, 7)
    # Every kind of outcome was reached: interrupted push, staged, rolled back, done.
    assert ("", IDLE, 4) in out and ("", DOWNLOADED, 0) in out
    assert ("", IDLE, 8) in out and ("a", IDLE, 1) in out


def test_power_cut_at_any_point_of_a_pull_update_resumes_and_boots_a_working_version():
    out = _power_cuts(_pull_all_the_way, 7)
    assert ("", DOWNLOADED, 0) in out and ("", IDLE, 8) in out and ("a", IDLE, 1) in out


def test_power_cut_at_every_byte_of_the_slot_switch():
    flash = Flash()
    d = Device(flash, mtu=200)
    d.push(package(size=300))
    before = flash.spent
    d.update()
    d.boot()
    d.fu.registered()
    span = flash.spent - before
    for cut in range(span + 1):
        flash = Flash()
        d = Device(flash, mtu=200)
        d.push(package(size=300))
        flash.cut_after(cut)
        try:
            d.update()
            d.boot()
            d.fu.registered()
        except BaseException as e:
            assert type(e).__name__ == "PowerCut"
        d.boot()
        d.fu.registered()
        assert (d.slot, d.get(3), d.get(5)) in (("a", IDLE, 1), ("", IDLE, 8), ("", DOWNLOADED, 0)), (cut, d.slot, d.get(5))


def test_power_cut_at_every_byte_of_a_deadline_rollback():
    for cut in range(40):
        flash = Flash()
        d = Device(flash, mtu=200, deadline=60)
        d.push(package(size=300))
        d.update()
        d.boot()
        d.clock.advance(61000)
        flash.cut_after(cut)
        try:
            d.fu.step()
        except BaseException as e:
            assert type(e).__name__ == "PowerCut"
        d.boot()
        assert (d.slot, d.get(3), d.get(5)) == ("", IDLE, 8), cut
        assert d.get(3, 3) == "1.0.0"


def test_push_abandoned_by_the_server_ends_with_result_4():
    d = Device(mtu=200, push_timeout=300)
    m = Message(3)
    m.set_uri_path("5/0/0")
    p = package(size=300)
    m.payload = p[:128]
    m.set_block1(0, 1, 3)
    d.server.request(m, "S")
    shuttle(d.server, d.ep)
    assert d.get(3) == DOWNLOADING
    d.clock.advance(300000)
    d.fu.step()
    assert d.get(3) == DOWNLOADING
    assert d.fu.next_timeout_ms() <= 1000
    d.clock.advance(1000)
    d.fu.step()
    assert (d.get(3), d.get(5)) == (IDLE, 4)
    assert d.store.size(DOWNLOAD) == -1


def test_damaged_state_and_pointer_files_still_boot():
    d = Device()
    for name, data in (("fota.st", b"s=x\nr=\xff\xfe\n"), ("slot", b"a\n\n7\n"), ("slot", b"\xff\xfe")):
        f = d.store.open(name, "wb")
        f.write(data)
        f.close()
        d.boot()
        assert d.slot == "" and d.get(3) == IDLE and d.get(3, 3) == "1.0.0"
