"""A capability we advertise must be one we implement (issue 13): with every optional feature
switched on, list the capabilities FRR received in our OPEN and check that each has a behaviour
test (a test that exercises what the capability promises, not only that it is negotiated).
Enhanced Route Refresh (RFC 7313): our answer to FRR's ROUTE-REFRESH is BoRR, routes, EoRR, and
FRR keeps our routes through it (an EoRR without the re-send would make it purge them)."""
import json
import pathlib

from nvbtest import wait_until
from nvbtest.peers import Frr, Neighbor
from nvd import Nvabgpd, link, peer

HERE = pathlib.Path(__file__).resolve().parent
INTEGRATION = HERE.parent

# FRR's name of a capability it received -> the behaviour tests (file, test function).
BEHAVIOUR = {
    "multiprotocolExtensions": [("daemon/test_routes.py", "test_ipv6_routes")],
    "4byteAs": [("daemon/test_sessions.py",
                 "test_established_with_gobgp_bird_frr_v4_v6_two_and_four_octet")],
    "routeRefresh": [("daemon/test_capabilities.py", "test_every_advertised_capability_is_implemented")],
    "enhancedRouteRefresh": [
        ("daemon/test_capabilities.py", "test_every_advertised_capability_is_implemented"),
        ("daemon/test_enhanced_route_refresh.py", "test_enhanced_route_refresh_answer_is_borr_routes_eorr"),
        ("daemon/test_enhanced_route_refresh.py",
         "test_enhanced_route_refresh_receiver_purges_what_was_not_resent_without_flapping_the_rest")],
    "gracefulRestart": [("daemon/test_rr_gr.py",
                         "test_graceful_restart_keeps_routes_stale_until_end_of_rib"),
                        ("daemon/test_rr_gr.py", "test_bird_graceful_restart_never_flaps_our_routes"),
                        ("daemon/test_restart.py",
                         "test_restarting_speaker_defers_routes_and_sweeps_after_convergence"),
                        ("daemon/test_restart.py",
                         "test_helper_keeps_our_routes_until_our_end_of_rib")],
}


def received(cap) -> bool:
    if isinstance(cap, dict):
        return any(received(v) for v in cap.values())
    return isinstance(cap, str) and "eceived" in cap


def test_every_advertised_capability_is_implemented(lab, tmp_path):
    d_ns = lab.ns("d")
    f_ns = link(lab, d_ns, "f", "10.0.1.1/24", "10.0.1.2/24")
    d = Nvabgpd(d_ns, tmp_path, {
        "router-id": "10.0.0.1", "asn": 65001, "originate": [{"prefix": "10.90.0.0/24"}],
        "peers": [peer("frr", "10.0.1.2", 65002, **{
            "families": ["ipv4-unicast", "ipv6-unicast"], "route-refresh": True,
            "graceful-restart": True})]}).start()
    f = Frr(f_ns, tmp_path, 65002, "10.0.1.2",
            [Neighbor("10.0.1.1", 65001, families=("ipv4", "ipv6"))]).start()
    wait_until(lambda: d.state("frr") == "Established", 40, what="Established")
    caps = f.neighbor("10.0.1.1")["neighborCapabilities"]
    ours = sorted(k for k, v in caps.items() if received(v))
    print(json.dumps(caps, indent=1))
    assert "enhancedRouteRefresh" in ours, caps
    for cap in ours:
        assert cap in BEHAVIOUR, f"{cap} advertised without a behaviour test: {caps[cap]}"
        for path, name in BEHAVIOUR[cap]:
            assert f"def {name}(" in (INTEGRATION / path).read_text(), (cap, path, name)
    # Route refresh: FRR's inbound soft reset asks us (ROUTE-REFRESH) and we re-send.
    wait_until(lambda: "10.90.0.0/24" in json.loads(
        f.vtysh("show bgp ipv4 unicast json")).get("routes", {}), 20, what="our route at FRR")
    stats = f.neighbor("10.0.1.1")["messageStats"]
    before, rr_before = stats["updatesRecv"], stats["routeRefreshRecv"]
    f.vtysh("clear bgp ipv4 unicast 10.0.1.1 soft in")
    wait_until(lambda: f.neighbor("10.0.1.1")["messageStats"]["updatesRecv"] > before, 20,
               what="our routes re-sent after ROUTE-REFRESH")
    # Enhanced Route Refresh: the re-send came between BoRR and EoRR (FRR counts both as
    # ROUTE-REFRESH received), and FRR, which purges at EoRR what was not re-sent, kept our route.
    wait_until(lambda: f.neighbor("10.0.1.1")["messageStats"]["routeRefreshRecv"] >= rr_before + 2, 20,
               what="BoRR and EoRR at FRR")
    assert "10.90.0.0/24" in json.loads(f.vtysh("show bgp ipv4 unicast json")).get("routes", {})
    assert d.protocols()["frr"]["state"] == "Established"
