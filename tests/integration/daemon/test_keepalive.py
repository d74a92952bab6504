"""The `keepalive` key sets the KEEPALIVE interval on the wire (issue 16): a raw peer counts the
KEEPALIVEs the daemon sends, and `show protocols --json` reports the negotiated interval. The
default (a third of the hold time, 30 s here) would send none in the window the test waits."""
import time

from nvd import Nvabgpd, link, peer
from rawbgp import RawPeer


def keepalives_within(raw: RawPeer, count: int, window: float):
    """Arrival times of the first `count` KEEPALIVEs read within `window` seconds."""
    times = []
    deadline = time.monotonic() + window
    while len(times) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            t, _ = raw.read_message(timeout=left)
        except TimeoutError:
            break
        if t == 4:
            times.append(time.monotonic())
    return times


def start(lab, tmp_path, **keys):
    d_ns = lab.ns("d")
    r_ns = link(lab, d_ns, "r", "10.0.1.1/24", "10.0.1.2/24")
    d = Nvabgpd(d_ns, tmp_path, {
        "router-id": "10.0.0.1", "asn": 65001,
        "peers": [peer("raw", "10.0.1.2", 65002, passive=True, **keys)]}).start()
    raw = RawPeer(r_ns, "10.0.1.2", "10.0.1.1", 65002, hold=90).connect()
    return d, raw


def test_configured_keepalive_is_the_interval_on_the_wire(lab, tmp_path):
    d, raw = start(lab, tmp_path, **{"hold-time": 90, "keepalive": 1})
    try:
        times = keepalives_within(raw, 4, 15.0)
        assert len(times) == 4, f"only {len(times)} KEEPALIVEs in 15 s with keepalive 1"
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert all(g < 5.0 for g in gaps), gaps  # never the 30 s of hold / 3
        p = [x for x in d.ctl_json("show", "protocols") if x["name"] == "raw"][0]
        assert p["session"]["keepalive"] == 1, p
        assert p["session"]["hold_time"] == 90, p
    finally:
        raw.close()


def test_default_keepalive_is_a_third_of_the_hold_time(lab, tmp_path):
    d, raw = start(lab, tmp_path, **{"hold-time": 90})
    try:
        # The first KEEPALIVE (answering the OPEN) was read by connect(); the next comes at
        # 22.5-30 s, so a 5 s window sees none.
        assert keepalives_within(raw, 1, 5.0) == []
        p = [x for x in d.ctl_json("show", "protocols") if x["name"] == "raw"][0]
        assert p["session"]["keepalive"] == 30, p
    finally:
        raw.close()
