"""Issue 18: a peer that keeps failing is damped (RFC 4271 DampPeerOscillations) for incoming
connections too: after a bad OPEN it is refused before any OPEN for `idle-hold` seconds, and
the hold doubles with each consecutive failure (it used to be accepted again within 50 ms)."""
import json
import sys
import time

from nvbtest import source_dir, wait_until
from nvd import Nvabgpd

RAW_PEER = str(source_dir() / "tests" / "integration" / "session" / "raw_peer.py")


def test_failing_peer_is_refused_during_a_growing_idle_hold(lab, tmp_path):
    ns = lab.ns("d")
    d = Nvabgpd(ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001,
                               "listen": [{"address": "127.0.0.1"}],
                               "peers": [{"name": "bad", "address": "127.0.0.2", "asn": 65002,
                                          "passive": True, "idle-hold": 2,
                                          "idle-hold-max": 16}]}).start()
    wait_until(d.ready, 20, what="daemon ready")
    runs = 0

    def attempt():
        nonlocal runs
        runs += 1
        p = ns.popen([sys.executable, RAW_PEER, "badopen", "127.0.0.2", "127.0.0.1:179", "65099"],
                     log_path=str(tmp_path / f"badopen{runs}.log"))
        lines = wait_until(lambda: [ln for ln in p.log().splitlines() if ln.startswith("{")], 20,
                           what="the attempt's outcome")
        return json.loads(lines[0])

    def is_failure(r):
        return (r["event"], r.get("code"), r.get("subcode")) == ("notification", 2, 2)

    assert is_failure(attempt())  # Bad Peer AS: failure 1
    holds = []
    for _ in range(2):
        t0 = time.monotonic()
        assert attempt()["event"] == "refused"  # at once: damped, closed before any OPEN
        # accepted again once the hold is over; that attempt's bad OPEN is the next failure
        wait_until(lambda: is_failure(attempt()), 60, interval=0.2, what="accepted again")
        holds.append(time.monotonic() - t0)
    # idle-hold 2: 1.5..2 s after failure 1, 3..4 s after failure 2 (plus polling)
    assert 1.4 <= holds[0] <= 3.5, holds
    assert holds[1] >= 2.9 and holds[1] > holds[0] * 1.3, holds
    refused = [ln for ln in d.log().splitlines() if "refused connection from 127.0.0.2" in ln]
    assert refused and all("damped after" in ln for ln in refused), refused
