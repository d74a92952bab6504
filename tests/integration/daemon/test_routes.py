"""Routes through nvabgpd between real peers, with the attributes each side sees (issue 4)."""
from nvbtest import wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import BirdSpeaker, Nvabgpd, gobgp_add, gobgp_attrs, gobgp_routes, link, peer

NO_ADVERTISE = 0xFFFFFF02


def _triangle(lab, tmp_path, d_extra=None, bird_static=(), gobgp_peer=None, bird_peer=None,
              originate=None):
    """gobgp (AS 65002, 10.0.1.2) -- nvabgpd (AS 65001) -- BIRD (AS 65003, 10.0.2.2)."""
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "10.0.1.1/24", "10.0.1.2/24")
    b_ns = link(lab, d_ns, "b", "10.0.2.1/24", "10.0.2.2/24")
    cfg = {"router-id": "10.0.0.1", "asn": 65001,
           "peers": [gobgp_peer or peer("gobgp", "10.0.1.2", 65002),
                     bird_peer or peer("bird", "10.0.2.2", 65003)]}
    if originate:
        cfg["originate"] = originate
    cfg.update(d_extra or {})
    d = Nvabgpd(d_ns, tmp_path, cfg).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)]).start()
    b = BirdSpeaker(b_ns, tmp_path, 65003, "10.0.2.2", [Neighbor("10.0.2.1", 65001)],
                    static=bird_static).start()
    wait_until(lambda: d.state("gobgp") == "Established" and d.state("bird") == "Established",
               40, what="both sessions")
    return d, g, b


def test_attributes_both_directions_gobgp_bird(lab, tmp_path):
    d, g, b = _triangle(
        lab, tmp_path, bird_static=[("10.30.0.0/24", "unreachable")],
        originate=[{"prefix": "10.77.0.0/24", "med": 30}])
    gobgp_add(g, "10.20.0.0/24", "community", "65002:7", "med", "50")
    # gobgp -> nvabgpd -> BIRD
    wait_until(lambda: "BGP.as_path" in b.route_all("10.20.0.0/24"), 20, what="BIRD gets it")
    text = b.route_all("10.20.0.0/24")
    assert "BGP.as_path: 65001 65002" in text
    assert "BGP.next_hop: 10.0.2.1" in text          # next hop self on eBGP
    assert "BGP.community: (65002,7)" in text          # communities kept
    assert "BGP.med" not in text                       # a neighbour AS's MED is not passed on
    # a locally originated MED is sent
    wait_until(lambda: "BGP.med: 30" in b.route_all("10.77.0.0/24"), 20, what="originated MED")
    own = d.ctl("show", "route", "10.77.0.0/24").stdout
    assert "10.77.0.0/24" in own and "originated [local" in own, own
    # BIRD -> nvabgpd -> gobgp
    wait_until(lambda: "10.30.0.0/24" in gobgp_routes(g), 20, what="gobgp gets BIRD's route")
    attrs = gobgp_attrs(gobgp_routes(g)["10.30.0.0/24"])
    assert attrs[2]["as_paths"][0]["asns"] == [65001, 65003]
    assert attrs[3]["nexthop"] == "10.0.1.1"
    assert 5 not in attrs                              # LOCAL_PREF never sent on eBGP
    # nvabgpd itself holds a LOCAL_PREF for it internally (so stripping it was a decision)
    assert d.routes("10.30.0.0/24")["10.30.0.0/24"][0]["attributes"]["as_path"] == "65003"


def test_no_advertise_kept_in_loc_rib_sent_to_nobody(lab, tmp_path):
    d, g, b = _triangle(lab, tmp_path)
    gobgp_add(g, "10.21.0.0/24", "community", "no-advertise")
    gobgp_add(g, "10.22.0.0/24")   # a control route, sent on
    wait_until(lambda: "BGP.as_path" in b.route_all("10.22.0.0/24"), 20, what="control route")
    held = d.routes("10.21.0.0/24")
    assert held["10.21.0.0/24"][0]["best"]
    assert "65535:65282" in held["10.21.0.0/24"][0]["attributes"]["communities"] or \
        "no-advertise" in str(held["10.21.0.0/24"][0]["attributes"]["communities"]).lower()
    assert "10.21.0.0/24" not in b.birdc("show", "route")
    why = d.ctl_json("explain", "10.21.0.0/24", "to", "bird")["export"]
    assert not why["exported"] and "NO_ADVERTISE" in why["why"]


def test_own_asn_ignored_unless_allowas_in(lab, tmp_path):
    # BIRD's route carries 65001 (ours) behind 65003; the BIRD peer has allowas-in 1,
    # the gobgp peer has none.
    d, g, b = _triangle(lab, tmp_path,
                        bird_peer=peer("bird", "10.0.2.2", 65003, **{"allowas-in": 1}),
                        bird_static=[("10.24.0.0/24",
                                      "unreachable { bgp_path.prepend(65001); }")])
    gobgp_add(g, "10.23.0.0/24", "aspath", "65001")       # gobgp prepends 65002: 65002 65001
    wait_until(lambda: d.protocols()["gobgp"]["routes"]["received"] >= 1, 20,
               what="gobgp's looping route received")
    looped = d.routes("10.23.0.0/24", "all").get("10.23.0.0/24", [])
    assert all(not p["best"] and "ineligible" in p for p in looped), looped
    assert d.protocols()["gobgp"]["routes"]["loops"] >= 1
    ex = d.ctl_json("explain", "10.23.0.0/24", "to", "bird")
    assert "AS_PATH contains our ASN" in ex["paths"][0]["why"], ex
    assert not ex["export"]["exported"]
    assert "10.23.0.0/24" not in b.birdc("show", "route")
    # allowas-in 1 toward BIRD: accepted, best, and exported to gobgp
    wait_until(lambda: "10.24.0.0/24" in gobgp_routes(g), 20, what="allowas-in route at gobgp")
    held = d.routes("10.24.0.0/24")["10.24.0.0/24"][0]
    assert held["best"] and held["attributes"]["as_path"] == "65003 65001"


def test_export_limit_holds_below_1000(lab, tmp_path):
    static = [(f"10.{100 + i // 250}.{i % 250}.0/24", "unreachable") for i in range(1200)]
    d, g, b = _triangle(lab, tmp_path, bird_static=static, gobgp_peer=peer(
        "gobgp", "10.0.1.2", 65002, **{"export-limit": {"max": 950, "action": "block"}}))
    wait_until(lambda: d.protocols()["bird"]["routes"]["accepted"] == 1200, 40,
               what="1200 routes from BIRD")
    wait_until(lambda: d.protocols()["gobgp"]["routes"]["export_blocked"] > 0, 30,
               what="export limit reached")
    wait_until(lambda: len(gobgp_routes(g)) == 950, 30, what="gobgp holding 950")
    p = d.protocols()["gobgp"]
    assert p["state"] == "Established" and p["flaps"] == 0
    assert p["routes"]["exported"] == 950
    assert g.established("10.0.1.1")
    row = [ln for ln in d.ctl("show", "protocols").stdout.splitlines()
           if ln.startswith("gobgp ")]
    assert len(row) == 1 and "limit" in row[0].lower(), row
    held_back = sorted(d.routes().keys() - gobgp_routes(g).keys())
    assert len(held_back) == 250
    why = d.ctl_json("explain", held_back[0], "to", "gobgp")["export"]
    assert not why["exported"] and "export limit" in why["why"], why


def test_ipv6_routes(lab, tmp_path):
    d_ns = lab.ns("d")
    g_ns = link(lab, d_ns, "g", "fd00:1::1/64", "fd00:1::2/64")
    b_ns = link(lab, d_ns, "b", "fd00:2::1/64", "fd00:2::2/64")
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001,
                                 "listen": [{"address": "::"}],
                                 "peers": [peer("gobgp", "fd00:1::2", 65002),
                                           peer("bird", "fd00:2::2", 65003)]}).start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.1.2",
              [Neighbor("fd00:1::1", 65001, families=("ipv6",))]).start()
    BirdSpeaker(b_ns, tmp_path, 65003, "10.0.2.2",
                [Neighbor("fd00:2::1", 65001, families=("ipv6",))],
                static=[("2001:db8:30::/48", "unreachable")]).start()
    wait_until(lambda: "2001:db8:30::/48" in gobgp_routes(g, family="ipv6"), 40,
               what="IPv6 route at gobgp")
    path = gobgp_routes(g, family="ipv6")["2001:db8:30::/48"]
    mp = gobgp_attrs(path)[14]
    assert mp["nexthop"] == "fd00:1::1"
    assert gobgp_attrs(path)[2]["as_paths"][0]["asns"] == [65001, 65003]
    assert d.routes("2001:db8:30::/48")["2001:db8:30::/48"][0]["from"] == "fd00:2::2"
