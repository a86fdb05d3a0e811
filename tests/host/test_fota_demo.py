"""The `make sim` firmware-update scenario runs to its end: a pull over a lossy
simulated link, a power cut, a resumed download, Update, the new version."""
from host_sim.scenarios import fota_demo


def test_fota_demo_resumes_after_power_cut_and_ends_on_new_version():
    lines = []
    u = fota_demo.main(echo=lines.append)
    assert u.resumed_at > 0
    assert (u.version, u.result) == ("2.0.0", "1")
    assert u.slot == "a"
    assert any("power cut" in line for line in lines)
