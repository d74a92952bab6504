"""A peer that vanishes (SIGKILL, no FIN reaching us) or a link that goes down mid-session:
the hold timer expiry is detected and logged, and the session returns with the peer/link."""
import pytest

from conftest import DAEMONS
from nvbtest import veth_pair, wait_until
from nvbtest.peers import Neighbor
from probe import Probe

PEER = {"name": "d", "address": "10.0.0.2", "asn": 65002, "hold": 9, "connect-retry": 2,
        "idle-hold": 1, "idle-hold-max": 2}


def established_pair(lab, workdir, daemon):
    p, d = lab.ns("p"), lab.ns("d")
    _, d_if = veth_pair(p, "10.0.0.1/24", d, "10.0.0.2/24")
    peer = DAEMONS[daemon](d, workdir, 65002, "10.0.0.2",
                           [Neighbor("10.0.0.1", 65001, hold=9)]).start()
    probe = Probe(p, workdir, 65001, "10.0.0.1", [PEER])
    probe.wait_established("d")
    return p, d, d_if, peer, probe


def assert_hold_expiry(probe):
    down = wait_until(lambda: probe.downs("d"), 30, what="session down")
    assert down[0]["reason"] == "hold timer expired", down
    sent = probe.events("notification", "d", dir="sent")
    assert sent and sent[0]["code"] == 4, sent  # Hold Timer Expired
    assert "hold timer expired" in probe.text()  # logged


@pytest.mark.parametrize("daemon", ["bird", "gobgp"])
def test_peer_sigkilled_then_back(lab, workdir, daemon):
    p, d, _, peer, probe = established_pair(lab, workdir, daemon)
    # A crashed host sends no FIN: blackhole the peer's packets to us, then SIGKILL it.
    d.ip("route", "add", "blackhole", "10.0.0.1/32")
    peer.kill()
    assert_hold_expiry(probe)
    d.ip("route", "del", "blackhole", "10.0.0.1/32")
    peer.start()
    probe.wait_established("d", count=2, timeout=60)
    wait_until(lambda: peer.established("10.0.0.1"), 30, what="peer Established again")


def test_link_down_mid_session(lab, workdir):
    p, d, d_if, peer, probe = established_pair(lab, workdir, "frr")
    d.ip("link", "set", d_if, "down")
    assert_hold_expiry(probe)
    d.ip("link", "set", d_if, "up")
    probe.wait_established("d", count=2, timeout=90)
    wait_until(lambda: peer.established("10.0.0.1"), 30, what="peer Established again")
