"""Established with GoBGP, BIRD 2 and FRR over IPv4 and IPv6 transport, with 2-octet and
4-octet ASNs, staying up for more than three keepalive intervals (hold time 9 s)."""
import pytest

from conftest import DAEMONS
from nvbtest import veth_pair, wait_until
from nvbtest.peers import Neighbor
from probe import Probe

ASNS = {"2-octet": (65001, 65002), "4-octet": (4200000001, 4200000002)}


@pytest.mark.parametrize("asn_kind", sorted(ASNS))
@pytest.mark.parametrize("daemon", sorted(DAEMONS))
def test_established_v4_and_v6(lab, workdir, daemon, asn_kind):
    local_asn, peer_asn = ASNS[asn_kind]
    p, d = lab.ns("p"), lab.ns("d")
    veth_pair(p, "10.0.0.1/24", d, "10.0.0.2/24")
    p_if, d_if = veth_pair(p, "fd00::1/64", d, "fd00::2/64")
    peer = DAEMONS[daemon](d, workdir, peer_asn, "10.0.0.2", [
        Neighbor("10.0.0.1", local_asn, hold=9),
        Neighbor("fd00::1", local_asn, hold=9, families=("ipv6",)),
    ]).start()
    probe = Probe(p, workdir, local_asn, "10.0.0.1", [
        {"name": "v4", "address": "10.0.0.2", "asn": peer_asn, "hold": 9, "connect-retry": 2,
         "idle-hold": 1},
        {"name": "v6", "address": "fd00::2", "asn": peer_asn, "hold": 9, "connect-retry": 2,
         "idle-hold": 1, "families": "ipv6"},
    ], listen=("0.0.0.0:179", "[::]:179"))

    for name, fam in (("v4", "ipv4-unicast"), ("v6", "ipv6-unicast")):
        up = probe.wait_established(name)
        up = probe.ups(name)[0]
        assert up["asn"] == peer_asn
        assert up["router_id"] == "10.0.0.2"
        assert up["hold"] == 9 and up["keepalive"] == 3
        assert up["four_octet_as"] is True
        assert up["families"] == [fam]
    assert probe.ups("v6")[0]["remote"] == "fd00::2"
    wait_until(lambda: peer.established("10.0.0.1") and peer.established("fd00::1"), 30,
               what=f"{daemon} sees both sessions Established")

    # Three keepalive intervals: count the peer's keepalives after the session came up.
    base = {n: probe.keepalives(n) for n in ("v4", "v6")}
    for n in ("v4", "v6"):
        probe.wait_keepalives(n, base[n] + 4, timeout=30)
    assert probe.downs("v4") == [] and probe.downs("v6") == []
    assert len(probe.ups("v4")) == 1 and len(probe.ups("v6")) == 1
    assert peer.established("10.0.0.1") and peer.established("fd00::1")
    assert peer.alive()
