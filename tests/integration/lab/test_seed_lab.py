"""End-to-end: the seed document's topology, live (issue 8).

Brings the whole lab up under a unique nvbt prefix (14 namespaces: two hub fabrics, four Route
Server instances and the ExpressRoute gateway on FRR, MSEE and on-premises on GoBGP, two NVAs,
three spoke hosts), asserts every observation of the seed at each speaker, and tears it down.

Run once per NVA implementation: `bird` (the seed author's NVA, the reference; always runs) and
`nvabgpd` on the shipped configs (skipped, with the reason, while the daemon is not built).
Tests run in file order on one lab per mode: NVA2 starts WITHOUT the seed's 65515 fix, then
the fix is applied, then the failure drill. Every wait polls an observable state with a bound.
"""
import ipaddress
import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "lab"))
from nvbtest import unique_name, wait_until  # noqa: E402
from nvlab import topology as T  # noqa: E402
from nvlab.lab import SeedLab  # noqa: E402
from nvlab.nva_nvabgpd import missing_reason  # noqa: E402

H1, H2 = T.HUB1, T.HUB2
ONPREM_PATH = [T.MSEE_ASN, T.ONPREM_ASN]


@pytest.fixture(scope="module", params=["bird", "nvabgpd"])
def lab(request):
    if request.param == "nvabgpd":
        reason = missing_reason()
        if reason:
            pytest.skip(f"nvabgpd NVAs: {reason}")
    lab = SeedLab(unique_name(""), request.param)
    try:
        lab.up(nva1_fixed=False, nva2_fixed=False)   # the seed's story starts before both fixes
        yield lab
    finally:
        lab.down()


def paths(d):
    return {prefix: (p[0] if isinstance(p, list) else p) for prefix, p in d.items()}


def aspath(p):
    return [int(x) for x in p.get("path", "").split()]


def kernel_gateways(route):
    if route is None:
        return None
    if "gateway" in route:
        return {route["gateway"]}
    return {n["gateway"] for n in route.get("nexthops", [])}


def ping(lab, tag, dst, ttl=64, count=1):
    return lab.fabric.ns(tag).run("ping", "-n", "-c", str(count), "-W", "2", "-t", str(ttl),
                                  dst, check=False, timeout=20)


def test_every_session_is_established(lab):
    expect = {**{rs: {H1.nva_addr, T.ERGW_ADDR} for rs in H1.rs_names},
              **{rs: {H2.nva_addr} for rs in H2.rs_names}}
    for rs, peers in expect.items():
        assert lab.rs[rs].sessions() == {p: "Established" for p in peers}, rs
    assert lab.ergw.sessions() == {a: "Established" for a in (*H1.rs_addrs, T.MSEE_ADDR)}
    assert lab.msee.sessions() == {a: "Established"
                                   for a in (T.ERGW_ADDR, T.addr(T.ONPREM_TRANSIT))}
    assert lab.onprem.sessions() == {T.addr(T.MSEE_TRANSIT): "Established"}
    for n in (1, 2):
        states = lab.nva(n).sessions()
        assert len(states) == 3 and set(states.values()) == {"Established"}, states


# -- without NVA1's fix, then with it --------------------------------------------------------------

def test_without_nva1_fix_the_expressroute_gateway_learns_the_hub1_summary(lab):
    # The seed's first gateway table: 10.1.0.0/16 from both Route Servers, path 65001.
    rib = lab.ergw.rib()
    assert sorted(p.get("peerId") for p in rib[H1.vnet]) == sorted(H1.rs_addrs), rib[H1.vnet]
    assert {p.get("path") for p in rib[H1.vnet]} == {"65001"}
    lab.set_nva1_fix(True)                      # NO_ADVERTISE on the summary toward ARS
    wait_until(lambda: H1.vnet not in lab.ergw.rib(), 60, what="10.1.0.0/16 gone from the gateway")
    # ... and the VNet is still programmed with it
    assert kernel_gateways(lab.kernel_route("f1", H1.vnet)) == {H1.nva_addr}


# -- without NVA2's fix --------------------------------------------------------------------------

def test_without_fix_hub2_route_server_drops_onprem_as_a_loop(lab):
    nva2 = lab.nva(2).routes()
    assert [p["as_path"] for p in nva2[T.ONPREM_PREFIX]] == [[65001, 65515, *ONPREM_PATH]]
    for rs in H2.rs_names:
        received = lab.rs_received(rs)        # what NVA2 sent, before the RS's checks
        assert received[T.ONPREM_PREFIX]["path"].split() == \
            ["65002", "65001", "65515", "12076", "133937"]
        assert T.ONPREM_PREFIX not in lab.rs_learned(rs)      # dropped: holds 65515
        assert T.ONPREM_PREFIX not in lab.rs[rs].rib()
    assert lab.kernel_route("f2", T.ONPREM_PREFIX) is None   # not in spoke21's routes
    assert ping(lab, "h21", T.ONPREM_HOST).returncode != 0


def test_with_fix_hub2_route_server_learns_onprem_without_65515(lab):
    lab.set_nva2_fix(True)
    lab.wait_converged(nva2_fixed=True, timeout=60)
    for rs in H2.rs_names:
        learned = paths(lab.rs_learned(rs))
        assert aspath(learned[T.ONPREM_PREFIX]) == [65002, 65001, *ONPREM_PATH]
        assert learned[T.ONPREM_PREFIX]["nexthops"][0]["ip"] == H2.nva_addr
    assert kernel_gateways(lab.kernel_route("f2", T.ONPREM_PREFIX)) == {H2.nva_addr}


# -- the seed's tables ---------------------------------------------------------------------------

def test_route_servers_learn_the_seed_tables_from_the_nvas(lab):
    for rs in H1.rs_names:
        learned = paths(lab.rs_learned(rs))
        assert {p: aspath(v) for p, v in learned.items()} == {
            "10.1.0.0/16": [65001], "10.2.0.0/16": [65001, 65002]}
        assert all(v["nexthops"][0]["ip"] == H1.nva_addr for v in learned.values())
    for rs in H2.rs_names:
        learned = paths(lab.rs_learned(rs))
        assert {p: aspath(v) for p, v in learned.items()} == {
            "10.2.0.0/16": [65002], "10.1.0.0/16": [65002, 65001],
            T.ONPREM_PREFIX: [65002, 65001, *ONPREM_PATH]}


def test_route_servers_advertise_the_seed_tables_to_the_nvas(lab):
    for hub in T.HUBS:
        for rs in hub.rs_names:
            expected = set(hub.vnet_prefixes)
            if hub.has_er:
                expected |= {T.ONPREM_PREFIX, *T.ONPREM_LONG_PREFIXES}
            # FRR may still be sending its first UPDATEs to an NVA whose session just came up:
            # wait for the advertised set to reach the expected one (bounded), then check it.
            try:
                wait_until(lambda: set(lab.rs_advertised(rs)) == expected, 20, interval=0.5,
                           what=f"{rs} to advertise the seed's routes")
            except TimeoutError:
                pass  # the assertion below reports the difference
            adv = lab.rs_advertised(rs)
            if not hub.has_er:
                # hub2's RS has 10.1.0.0/16 and 1.2.3.0/24 only from NVA2: never sent back
                assert not {"10.1.0.0/16", T.ONPREM_PREFIX} & adv.keys()
            assert set(adv) == expected, rs
    onprem = lab.rs_advertised("rs10")[T.ONPREM_PREFIX]
    assert onprem["path"].split() == ["12076", "133937"] and onprem["bgpOriginCode"] == "?"


def test_lab_show_prints_both_nvas_with_the_attribute_block(lab, capsys):
    """`scripts/lab.sh show`: NVA1's routes from rs0 with BIRD's attribute block (the seed shows
    65517:65517 and the Route Server as next hop), NVA2's 1.2.3.0/24 with its path."""
    from nvlab.tables import print_tables
    capsys.readouterr()
    print_tables(lab)
    out = capsys.readouterr().out
    nva1 = out.split("\n== NVA1:")[1].split("\n== ")[0]
    assert "show route protocol rs0 all" in nva1.splitlines()[0]
    block = nva1[nva1.index(T.ONPREM_PREFIX):]
    assert "BGP.community: (65517,65517)" in block, nva1
    assert f"BGP.next_hop: {H1.rs_addrs[0]}" in block, nva1
    onprem2 = [s for s in out.split("\n== NVA2:")[1:] if f"show route {T.ONPREM_PREFIX} all" in s]
    assert onprem2 and "BGP.as_path: 65001 65515 12076 133937" in onprem2[0], out
    # the seed's order: hub1's Route Server before the gateway, NVA1 before hub1's spokes
    assert out.index("learned from NVA1") < out.index("ExpressRoute gateway (FRR)") \
        < out.index("== NVA1:") < out.index("spoke effective routes, hub1")


def test_nvas_hold_the_seed_routes(lab):
    nva1 = lab.nva(1).routes()
    onprem = nva1[T.ONPREM_PREFIX]
    # from both Route Server instances, RS address as BGP next hop, ARS's community
    assert sorted(p["next_hop"] for p in onprem) == list(H1.rs_addrs)
    for p in onprem:
        assert p["as_path"] == [65515, *ONPREM_PATH]
        assert T.ARS_COMMUNITY in p["communities"]
    for prefix in H1.vnet_prefixes:
        assert [p["as_path"] for p in nva1[prefix]] == [[65515], [65515]]
    assert any(p["as_path"] == [65002] and p["next_hop"] == H2.overlay_addr
               for p in nva1[H2.vnet])
    nva2 = lab.nva(2).routes()
    # the seed's `show route protocol hub1` at NVA2
    for prefix, path in [("10.1.0.0/16", [65001]), ("10.1.0.0/20", [65001, 65515]),
                         ("10.1.16.0/24", [65001, 65515]), ("10.1.17.0/24", [65001, 65515]),
                         (T.ONPREM_PREFIX, [65001, 65515, *ONPREM_PATH])]:
        assert [(p["as_path"], p["next_hop"]) for p in nva2[prefix]] == \
            [(path, H1.overlay_addr)], prefix
    assert T.ARS_COMMUNITY in nva2[T.ONPREM_PREFIX][0]["communities"]


def test_expressroute_gateway_table(lab):
    rib = lab.ergw.rib()
    for prefix in H1.vnet_prefixes:      # its own ("Network") and from both RS instances
        peers = sorted(p["peerId"] for p in rib[prefix])
        assert peers == ["(unspec)", *H1.rs_addrs]
    remote = rib[H2.vnet]
    assert sorted(p["peerId"] for p in remote) == list(H1.rs_addrs)
    assert all(aspath(p) == [65001, 65002] and p["nexthops"][0]["ip"] == H1.nva_addr
               and p["pathFrom"] == "internal" for p in remote)
    for prefix in (T.ONPREM_PREFIX, *T.TRANSIT_PREFIXES):
        (p,) = rib[prefix]
        assert aspath(p) == ONPREM_PATH and p["origin"] == "incomplete"
        assert p["peerId"] == T.MSEE_ADDR and p["pathFrom"] == "external"
    adv = lab.ergw.neighbor_routes(H1.rs_addrs[0], "advertised-routes")
    assert set(adv) == {*H1.vnet_prefixes, T.ONPREM_PREFIX, *T.ONPREM_LONG_PREFIXES,
                        *T.TRANSIT_PREFIXES}


def test_msee_and_onprem_tables(lab):
    msee = lab.msee.rib()
    assert msee[T.ONPREM_PREFIX][0]["as_path"] == [T.ONPREM_ASN]
    assert msee[H2.vnet][0]["as_path"] == [T.RS_ASN, 65001, 65002]
    assert msee[H2.vnet][0]["next_hop"] == T.ERGW_ADDR
    onprem = lab.onprem.rib()
    assert onprem[H2.vnet][0]["as_path"] == [T.MSEE_ASN, T.RS_ASN, 65001, 65002]
    for prefix in H1.vnet_prefixes:
        assert onprem[prefix][0]["as_path"] == [T.MSEE_ASN, T.RS_ASN]


def test_spoke_effective_routes(lab):
    # hub1 (spoke11): both summaries via NVA1, on-premises via the ExpressRoute gateway
    assert kernel_gateways(lab.kernel_route("f1", H2.vnet)) == {H1.nva_addr}
    assert kernel_gateways(lab.kernel_route("f1", H1.vnet)) == {H1.nva_addr}
    assert kernel_gateways(lab.kernel_route("f1", T.ONPREM_PREFIX)) == {T.ERGW_ADDR}
    # hub2 (spoke21): both summaries and, with the fix, on-premises via NVA2
    for prefix in (H1.vnet, H2.vnet, T.ONPREM_PREFIX):
        assert kernel_gateways(lab.kernel_route("f2", prefix)) == {H2.nva_addr}, prefix


# -- the rules -----------------------------------------------------------------------------------

def test_no_advertise_summary_stays_at_the_route_server(lab):
    for rs in H1.rs_names:
        detail = lab.rs[rs].json(f"show bgp ipv4 unicast {H1.vnet} json")
        (path,) = detail["paths"]
        assert path["community"]["string"].split() == ["no-advertise"]
        assert detail.get("advertisedTo", {}) == {}      # to no peer at all
    assert H1.vnet not in lab.ergw.rib()
    assert H1.vnet not in lab.msee.rib() and H1.vnet not in lab.onprem.rib()
    # ... while the VNet is still programmed with it (ARS programs, it does not advertise)
    assert kernel_gateways(lab.kernel_route("f1", H1.vnet)) == {H1.nva_addr}


def test_no_prefix_of_length_30_to_32_reaches_a_route_server(lab):
    # precondition: the NVAs do hold a /32 and a /30 (leaked by on-premises)
    for n in (1, 2):
        assert set(T.ONPREM_LONG_PREFIXES) <= set(lab.nva(n).routes())
    for hub in T.HUBS:
        for rs in hub.rs_names:
            received = lab.rs_received(rs)        # pre-policy Adj-RIB-In from the NVA
            assert received, rs
            long_ones = [p for p in received if ipaddress.ip_network(p).prefixlen >= 30]
            assert long_ones == [], rs


def test_transit_prefixes_are_not_propagated(lab):
    assert set(T.TRANSIT_PREFIXES) <= set(lab.rs["rs10"].rib())   # the RS has them ...
    for rs in lab.rs:
        assert not set(T.TRANSIT_PREFIXES) & set(lab.rs_advertised(rs))  # ... keeps them
    for n in (1, 2):
        assert not set(T.TRANSIT_PREFIXES) & set(lab.nva(n).routes())
    for tag in ("f1", "f2", "nva1", "nva2"):
        assert all(lab.kernel_route(tag, p) is None for p in T.TRANSIT_PREFIXES), tag


def test_nva_kernel_tables_resolve_next_hops_through_the_subnet_gateway(lab):
    for tag, hub, prefixes in (("nva1", H1, (T.ONPREM_PREFIX, *H1.vnet_prefixes)),
                               ("nva2", H2, H2.vnet_prefixes)):
        gw = T.addr(hub.nva_subnet_gw)
        nva = lab.nva(hub.n).routes()
        for prefix in prefixes:
            assert len(nva[prefix]) == 2, prefix        # both Route Server paths kept (ECMP)
            net = ipaddress.ip_network(prefix)
            r = lab.kernel_route(tag, prefix)
            if r is None and any(ipaddress.ip_address(a) in net for a in hub.rs_addrs):
                pass    # declined because it covers a Route Server (allowed by issue 8)
            else:
                # ECMP over both RS instances resolves to the one subnet gateway
                assert kernel_gateways(r) == {gw}, (tag, prefix)
            # either way, traffic into the prefix leaves through the subnet gateway
            route = lab.fabric.ns(tag).ip_json("route", "get", str(net[10]))[0]
            assert (route.get("gateway"), route["dev"]) == (gw, "eth0"), (tag, prefix)
    for tag, prefix, via in (("nva1", H2.vnet, H2.overlay_addr),
                             ("nva2", H1.vnet, H1.overlay_addr),
                             ("nva2", T.ONPREM_PREFIX, H1.overlay_addr)):
        r = lab.kernel_route(tag, prefix)
        assert kernel_gateways(r) == {via} and r.get("dev") == "vxlan0", (tag, prefix)
    for tag, hub in (("nva1", H1), ("nva2", H2)):
        ns = lab.fabric.ns(tag)
        # the Route Servers are reached by the non-BGP default route, no static /32s ...
        for rs in hub.rs_addrs:
            assert lab.kernel_route(tag, rs + "/32") is None
            route = ns.ip_json("route", "get", rs)[0]
            assert route["gateway"] == T.addr(hub.nva_subnet_gw) and route["dev"] == "eth0"
        # ... and the BGP-learned 10.x.0.0/20 that covers them never broke a session (a route
        # resolved through itself would): one connection, never dropped (NVA1 was not restarted)
        if hub is H1:
            for rs in hub.rs_names:
                nb = lab.rs[rs].json(f"show bgp neighbors {hub.nva_addr} json")[hub.nva_addr]
                assert (nb["bgpState"], nb["connectionsEstablished"],
                        nb["connectionsDropped"]) == ("Established", 1, 0), rs
        # ... and the overlay-learned 10.x/16 never captures the VXLAN underlay
        far = T.other(hub).nva_addr
        route = ns.ip_json("route", "get", far)[0]
        assert route["dev"] == "eth0" and route["gateway"] == T.addr(hub.nva_subnet_gw)


def test_ping_from_spoke21_reaches_onprem_across_the_lab(lab):
    r = ping(lab, "h21", T.ONPREM_HOST, count=2)
    assert r.returncode == 0, r.stdout
    # The route it takes: a TTL-limited probe per hop names each router on the way.
    expected = ["10.2.16.1",            # fabric2 (spoke21's effective route to NVA2)
                H2.nva_addr,            # NVA2
                H1.overlay_addr,        # NVA1, reached over VXLAN
                "10.1.1.1",             # fabric1 (NVA1's route via the subnet gateway)
                T.ERGW_ADDR,            # ExpressRoute gateway
                T.MSEE_ADDR]            # MSEE; on-premises answers at the next hop
    hops = []
    for ttl in range(1, len(expected) + 1):
        out = ping(lab, "h21", T.ONPREM_HOST, ttl=ttl).stdout
        m = re.search(r"From (\S+?):? icmp_seq=\d+ Time to live exceeded", out)
        hops.append(m.group(1) if m else out)
    assert hops == expected
    assert ping(lab, "h21", T.ONPREM_HOST, ttl=len(expected) + 1).returncode == 0


# -- the failure drills (seed comment thread: NVA1 fails) ------------------------------------

def wait_for_stale_at_rs(lab):
    def stale():
        for rs in H1.rs_names:
            learned = lab.rs_learned(rs)
            if not learned or not all(p.get("stale") for v in learned.values()
                                      for p in (v if isinstance(v, list) else [v])):
                return False
        return True
    return wait_until(stale, T.HOLD + 3, interval=0.2, what="NVA1's routes stale at the RS")


def nva1_routes_gone(lab):
    return (all(not lab.rs_learned(rs) for rs in H1.rs_names)
            and not {H1.vnet, T.ONPREM_PREFIX} & set(lab.nva(2).routes())
            and all(not {H1.vnet, T.ONPREM_PREFIX} & set(lab.rs_learned(rs))
                    for rs in H2.rs_names)
            and lab.kernel_route("f1", H2.vnet) is None
            and lab.kernel_route("f1", H1.vnet) is None
            and lab.kernel_route("f2", T.ONPREM_PREFIX) is None
            and lab.kernel_route("nva2", T.ONPREM_PREFIX) is None)


def test_failure_drill_nva1_silent_then_back(lab):
    """NVA1's VM vanishes without a word (its NIC loses carrier): no FIN, no NOTIFICATION. The
    Route Servers and NVA2 notice only when their hold timers expire."""
    hold = max(T.HOLD, lab.nva(2).hold_time("hub1"))    # RS side is T.HOLD (FRR config)
    port = lab.fabric.ns("f1")
    port.ip("link", "set", "nva1", "down")               # NVA1's port on its subnet bridge
    try:
        assert not nva1_routes_gone(lab)                  # nobody can know yet
        wait_until(lambda: nva1_routes_gone(lab), hold + 4, interval=0.2,
                   what=f"NVA1's routes to age out (hold {hold}s)")
    finally:
        port.ip("link", "set", "nva1", "up")
    lab.wait_converged(nva2_fixed=True, timeout=60)
    wait_until(lambda: ping(lab, "h21", T.ONPREM_HOST).returncode == 0, 20,
               what="the ping to work again")


def gr_restart_time(n):
    """The graceful restart time the shipped nvaN.yaml gives every peer (None: no GR)."""
    text = (pathlib.Path(__file__).resolve().parents[3] / f"config/examples/nva{n}.yaml").read_text()
    times = set(re.findall(r"graceful-restart:\s*\{[^}]*restart-time:\s*(\d+)", text))
    return int(times.pop()) if len(times) == 1 else None


def test_failure_drill_nva1_killed_then_restored(lab):
    lab.nva(1).kill()      # SIGKILL: no Cease, no withdrawal by the NVA itself

    def gone():
        return nva1_routes_gone(lab)
    bound = T.HOLD + 3     # the (shortened) hold time, plus the VNet programming period
    restart_time = gr_restart_time(1) if lab.kind == "nvabgpd" else None
    if restart_time:
        # The shipped configs enable graceful restart (RFC 4724) and keep the kernel routes: the
        # Route Servers and NVA2 keep NVA1's routes as stale, and NVA1's kernel still forwards,
        # until NVA1 is back or its restart time has passed.
        assert wait_for_stale_at_rs(lab), "NVA1's routes kept as stale by the Route Servers"
        assert not gone()
        assert ping(lab, "h21", T.ONPREM_HOST).returncode == 0
        bound += restart_time
    wait_until(gone, bound, interval=0.2, what="NVA1's routes to disappear")
    assert H2.vnet not in lab.ergw.rib()
    assert ping(lab, "h21", T.ONPREM_HOST).returncode != 0

    lab.nva(1).start()
    lab.wait_converged(nva2_fixed=True, timeout=60)
    assert kernel_gateways(lab.kernel_route("f1", H2.vnet)) == {H1.nva_addr}
    assert kernel_gateways(lab.kernel_route("nva2", T.ONPREM_PREFIX)) == {H1.overlay_addr}
    wait_until(lambda: ping(lab, "h21", T.ONPREM_HOST).returncode == 0, 20,
               what="the ping to work again")
