"""UPDATEs from real peers arrive decoded (UpdateIn), and their ROUTE-REFRESH requests reach
the RefreshRequest callback (Azure Route Server hard-resets NVAs that cannot answer one)."""
import pytest

from conftest import DAEMONS
from nvbtest import veth_pair, wait_until
from nvbtest.peers import Neighbor
from probe import Probe

# Ask the peer for an inbound soft reset, which it does with a ROUTE-REFRESH to us. (GoBGP's
# softresetin re-runs policy over its own Adj-RIB-In and sends nothing, so it is not here.)
SOFT_IN = {
    "bird": lambda peer: peer.birdc("reload", "in", peer.proto_name("10.0.0.1")),
    "frr": lambda peer: peer.vtysh("clear bgp ipv4 unicast 10.0.0.1 soft in"),
}


@pytest.mark.parametrize("daemon", sorted(SOFT_IN))
def test_route_refresh_from_peer(lab, workdir, daemon):
    p, d = lab.ns("p"), lab.ns("d")
    veth_pair(p, "10.0.0.1/24", d, "10.0.0.2/24")
    peer = DAEMONS[daemon](d, workdir, 65002, "10.0.0.2",
                           [Neighbor("10.0.0.1", 65001, hold=9)]).start()
    probe = Probe(p, workdir, 65001, "10.0.0.1",
                  [{"name": "d", "address": "10.0.0.2", "asn": 65002, "hold": 9}])
    up = probe.wait_established("d") and probe.ups("d")[0]
    assert up["route_refresh"] is True
    wait_until(lambda: peer.established("10.0.0.1"), 30, what="peer Established")
    SOFT_IN[daemon](peer)
    wait_until(lambda: probe.events("refresh", "d"), 30, what="ROUTE-REFRESH delivered")
    assert probe.downs("d") == []


def test_update_from_gobgp_is_decoded(lab, workdir):
    p, d = lab.ns("p"), lab.ns("d")
    veth_pair(p, "10.0.0.1/24", d, "10.0.0.2/24")
    peer = DAEMONS["gobgp"](d, workdir, 65002, "10.0.0.2",
                            [Neighbor("10.0.0.1", 65001, hold=9)]).start()
    probe = Probe(p, workdir, 65001, "10.0.0.1",
                  [{"name": "d", "address": "10.0.0.2", "asn": 65002, "hold": 9}])
    probe.wait_established("d")
    peer.cli("global", "rib", "add", "-a", "ipv4", "10.9.0.0/24")
    peer.cli("global", "rib", "add", "-a", "ipv4", "10.9.1.0/24")
    wait_until(lambda: sum(e["nlri"] for e in probe.events("update", "d")) >= 2, 30,
               what="two prefixes received")
    assert all(e["action"] == 0 for e in probe.events("update", "d"))  # no RFC 7606 errors
    peer.cli("global", "rib", "del", "-a", "ipv4", "10.9.0.0/24")
    wait_until(lambda: sum(e["withdrawn"] for e in probe.events("update", "d")) >= 1, 30,
               what="a withdrawal received")
    assert probe.downs("d") == []
