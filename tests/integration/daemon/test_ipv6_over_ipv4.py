"""IPv6 routes to eBGP peers over IPv4 sessions (issue 18): the IPv6 next hop is the
configured `ipv6-next-hop`, else a global IPv6 address of the session's interface."""
from nvbtest import veth_pair, wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import Nvabgpd, gobgp_attrs, gobgp_routes, peer

BOTH = ["ipv4-unicast", "ipv6-unicast"]


def test_ipv6_routes_over_ipv4_sessions(lab, tmp_path):
    d_ns, a_ns, b_ns = lab.ns("d"), lab.ns("a"), lab.ns("b")
    d_if, a_if = veth_pair(d_ns, "10.0.1.1/24", a_ns, "10.0.1.2/24")
    # The interface toward gobgp-a also has a global IPv6 address: the default next hop.
    d_ns.ip("addr", "add", "fd00:1::1/64", "dev", d_if, "nodad")
    a_ns.ip("addr", "add", "fd00:1::2/64", "dev", a_if, "nodad")
    veth_pair(d_ns, "10.0.2.1/24", b_ns, "10.0.2.2/24")  # IPv4 only: configured next hop
    d = Nvabgpd(d_ns, tmp_path, {
        "router-id": "10.0.0.1", "asn": 65001,
        "originate": [{"prefix": "2001:db8:99::/48"}, {"prefix": "10.99.0.0/24"}],
        "peers": [peer("a", "10.0.1.2", 65002, families=BOTH),
                  peer("b", "10.0.2.2", 65003, families=BOTH,
                       **{"ipv6-next-hop": "fd00:9::9"})]}).start()
    a = GoBgp(a_ns, tmp_path, 65002, "10.0.1.2",
              [Neighbor("10.0.1.1", 65001, families=("ipv4", "ipv6"))]).start()
    b = GoBgp(b_ns, tmp_path, 65003, "10.0.2.2",
              [Neighbor("10.0.2.1", 65001, families=("ipv4", "ipv6"))]).start()
    for g, nh in ((a, "fd00:1::1"), (b, "fd00:9::9")):
        wait_until(lambda g=g: "2001:db8:99::/48" in gobgp_routes(g, family="ipv6"), 40,
                   what="IPv6 route over the IPv4 session")
        path = gobgp_routes(g, family="ipv6")["2001:db8:99::/48"]
        assert gobgp_attrs(path)[14]["nexthop"] == nh
        wait_until(lambda g=g: "10.99.0.0/24" in gobgp_routes(g), 20, what="IPv4 route")
    assert "need an IPv6 next hop" not in d.log()
