"""Route reflection to three iBGP clients, and graceful restart of a killed peer (issue 4)."""
from nvbtest import wait_until
from nvbtest.peers import GoBgp, Neighbor
from nvd import (BirdSpeaker, Nvabgpd, gobgp_add, gobgp_attrs, gobgp_routes, gr_bird_and_gobgp,
                 link, peer)


def test_route_reflector_three_clients(lab, tmp_path):
    d_ns = lab.ns("d")
    clients = {}
    peers = []
    for i in (1, 2, 3):
        ns = link(lab, d_ns, f"c{i}", f"10.0.{i}.1/24", f"10.0.{i}.2/24")
        clients[i] = GoBgp(ns, tmp_path, 65001, f"10.0.{i}.2", [Neighbor(f"10.0.{i}.1", 65001)])
        peers.append(peer(f"c{i}", f"10.0.{i}.2", 65001, **{"route-reflector-client": True}))
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": peers,
                                 "originate": [{"prefix": "10.90.0.0/24"}]}).start()
    for c in clients.values():
        c.start()
    wait_until(lambda: all(d.state(f"c{i}") == "Established" for i in (1, 2, 3)), 40)
    gobgp_add(clients[1], "10.50.0.0/24", "nexthop", "10.0.1.2", "local-pref", "120")
    for i in (2, 3):
        wait_until(lambda: "10.50.0.0/24" in gobgp_routes(clients[i]), 20, what=f"c{i} gets it")
        attrs = gobgp_attrs(gobgp_routes(clients[i])["10.50.0.0/24"])
        assert attrs[9]["value"] == "10.0.1.2"            # ORIGINATOR_ID: client 1's id
        assert attrs[10]["value"] == ["10.0.0.1"]         # CLUSTER_LIST: our cluster id
        assert attrs[5]["value"] == 120                   # LOCAL_PREF kept on iBGP
        assert attrs[3]["nexthop"] == "10.0.1.2"          # next hop unchanged
        assert attrs[2].get("as_paths", []) in ([], [{"type": 2, "num": 0, "asns": []}])
    # the originator never gets its own route back; locally originated routes reach everyone
    wait_until(lambda: "10.90.0.0/24" in gobgp_routes(clients[1]), 20, what="originated")
    assert "10.50.0.0/24" not in gobgp_routes(clients[1], "neighbor", "10.0.1.1", "adj-in")
    attrs = gobgp_attrs(gobgp_routes(clients[1])["10.90.0.0/24"])
    assert 9 not in attrs and 10 not in attrs


def test_graceful_restart_keeps_routes_stale_until_end_of_rib(lab, tmp_path):
    d, b, g = gr_bird_and_gobgp(lab, lab.ns("d"), tmp_path)
    assert d.protocols()["bird"]["session"]["graceful_restart"]
    b.kill()
    wait_until(lambda: d.state("bird") != "Established", 30, what="session loss noticed")
    wait_until(lambda: all(p[0]["stale"] for p in d.routes().values()
                           if p[0]["peer"] == "bird") and len(d.routes()) == 2, 10,
               what="routes kept as stale")
    assert {"10.60.0.0/24", "10.61.0.0/24"} <= gobgp_routes(g).keys()   # still forwarded
    # BIRD comes back with only one of the two routes: after End-of-RIB the other is swept
    b.static = [("10.60.0.0/24", "unreachable")]
    b.start()
    wait_until(lambda: "10.61.0.0/24" not in d.routes(), 40, what="stale route swept")
    assert d.routes("10.60.0.0/24")["10.60.0.0/24"][0]["stale"] is False
    wait_until(lambda: "10.61.0.0/24" not in gobgp_routes(g), 20, what="withdrawn at gobgp")
    assert "10.60.0.0/24" in gobgp_routes(g)


def test_bird_graceful_restart_never_flaps_our_routes(lab, tmp_path):
    """BIRD 2 restarts gracefully (`birdc graceful restart`, then `bird -R`): we keep its routes
    as stale, take its re-sent ones in place and sweep nothing after its End-of-RIB, so a third
    peer (GoBGP) receives no UPDATE at all for them: no withdrawal, no re-announcement."""
    d_ns = lab.ns("d")
    b_ns = link(lab, d_ns, "b", "10.0.1.1/24", "10.0.1.2/24")
    g_ns = link(lab, d_ns, "g", "10.0.2.1/24", "10.0.2.2/24")
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": [
        peer("bird", "10.0.1.2", 65003, **{"graceful-restart": True}),
        peer("gobgp", "10.0.2.2", 65002)]}).start()
    b = BirdSpeaker(b_ns, tmp_path, 65003, "10.0.1.2", [Neighbor("10.0.1.1", 65001)],
                    static=[("10.60.0.0/24", "unreachable"), ("10.61.0.0/24", "unreachable")])
    b.extra["10.0.1.1"] = ["graceful restart on;", "graceful restart time 60;"]
    b.start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.2.2", [Neighbor("10.0.2.1", 65001)]).start()
    wanted = {"10.60.0.0/24", "10.61.0.0/24"}
    wait_until(lambda: wanted <= gobgp_routes(g).keys(), 40, what="BIRD's routes at gobgp")
    wait_until(lambda: d.protocols()["bird"]["session"]["graceful_restart"], 10)
    updates = g.messages("10.0.2.1")["received"]["update"]
    b.birdc("graceful", "restart")
    wait_until(lambda: not b.alive(), 20, what="BIRD gone for its graceful restart")
    wait_until(lambda: d.state("bird") != "Established", 30, what="session loss noticed")
    wait_until(lambda: all(p[0]["stale"] for p in d.routes().values()), 10, what="kept stale")
    b.stop()
    # -R: graceful restart recovery (Restart State bit, then its routes and End-of-RIB)
    b._popen(["bird", "-f", "-R", "-c", str(b.config_path), "-s", str(b.sock),
              "-P", str(b.dir / "bird.pid")])
    wait_until(lambda: d.state("bird") == "Established", 40, what="BIRD back")
    wait_until(lambda: d.routes() and not any(p[0]["stale"] for p in d.routes().values()), 40,
               what="BIRD's routes fresh again (End-of-RIB)")
    assert wanted <= gobgp_routes(g).keys()
    assert g.messages("10.0.2.1")["received"]["update"] == updates, "routes flapped at gobgp"
