"""Peers added and removed by reload are freed in every module (issue 15).

One daemon; each cycle a reload adds 1,000 passive peers (they never connect) plus one that a
scripted speaker brings up with routes, and the next reload removes them all. Memory (RSS after
the daemon returned freed heap) must come back to within a few percent of where it started, and
the peers each module holds (`show memory`) back to the configured ones: a daemon that keeps a
removed peer's slots grows by every peer ever configured.
"""

from nvbtest import veth_pair, wait_until
from nvd import Nvabgpd, peer
from rawbgp import ORIGIN_IGP, RawPeer, as_path, next_hop, update

N_PEERS = 1000
CYCLES = 3
ROUTES = 200


def _rss_kib(d):
    # The daemon's VmRSS once it has returned freed heap to the system (malloc_trim).
    return d.request({"command": "show memory"})["result"]["rss_kib"]


def _reload(d, cfg):
    d.write_config(cfg)
    r = d.request({"command": "reload"})
    assert r.get("ok") and r["result"]["applied"], r


def _peers_held(d):
    return d.request({"command": "show memory"})["result"].get("peers")


def _config(extra):
    base = [peer("base", "10.0.1.9", 65009, passive=True)]
    return {"router-id": "10.0.0.1", "asn": 65001, "peers": base + extra}


def _many(cycle):
    # 10.100.0.0/16 is not routed anywhere: passive peers that never connect.
    out = [peer(f"c{cycle}-{i}", f"10.100.{i // 250}.{i % 250 + 1}", 64000 + i % 1000,
                passive=True) for i in range(N_PEERS)]
    out.append(peer(f"live{cycle}", f"10.0.1.{10 + cycle}", 65002, passive=True))
    return out


def test_peers_added_and_removed_by_reload_are_freed(lab, tmp_path):
    d_ns = lab.ns("d")
    p_ns = lab.ns("p")
    _, p_if = veth_pair(d_ns, "10.0.1.1/24", p_ns, "10.0.1.2/24")
    cfg = _config([])
    d = Nvabgpd(d_ns, tmp_path, cfg).start()
    wait_until(d.ready, 20, what="control socket")
    # One add/remove cycle first: what the first reload allocates once (parser, logger,
    # allocator arenas) is not what removed peers leave behind.
    figures = []
    held = []  # peers each module holds: with the added ones, after their removal
    for cycle in range(CYCLES + 1):
        _reload(d, _config(_many(cycle)))
        # A real session with routes, so the RIB holds the peer too.
        live = f"10.0.1.{10 + cycle}"
        p_ns.ip("addr", "add", f"{live}/24", "dev", p_if)
        raw = RawPeer(p_ns, live, "10.0.1.1", asn=65002).connect()
        attrs = ORIGIN_IGP + as_path([65002]) + next_hop(live)
        for i in range(0, ROUTES, 50):
            raw.send(update(attrs=attrs,
                            nlri=[f"10.{50 + cycle}.{j}.0/24" for j in range(i, i + 50)]))
        wait_until(lambda: d.request({"command": "show status"})["result"]["prefixes"] == ROUTES,
                   20, what="routes of the live peer")
        held.append(_peers_held(d))
        grown = _rss_kib(d)
        _reload(d, _config([]))
        raw.close()
        # Removed: its routes withdrawn, every module back to the one configured peer.
        wait_until(lambda: d.request({"command": "show status"})["result"]["prefixes"] == 0,
                   20, what="routes of the removed peer withdrawn")
        after = _rss_kib(d)
        figures.append((grown, after))
        held.append(_peers_held(d))
        if cycle == 0:
            start = after
    print(f"RSS KiB: start {start}, with {N_PEERS + 1} more peers / after removing them: "
          f"{figures}")
    # The peers cost some MiB while configured (so the figure below means something) ...
    assert max(grown for grown, _ in figures) - start > 2048, (start, figures)
    # ... and after their removal memory is back within 3% of the start.
    end = figures[-1][1]
    assert end <= start * 1.03, (start, end, figures)
    assert held == [{"configured": N_PEERS + 2, "session": N_PEERS + 2, "rib": 1},
                    {"configured": 1, "session": 1, "rib": 0}] * (CYCLES + 1), held
    assert d.alive()


def test_a_removed_peer_leaves_its_address_to_the_next_one(lab, tmp_path):
    """A removed peer kept in the session layer answered for its address: a passive peer added
    later with that address had its connections refused ("administratively down")."""
    d_ns = lab.ns("d")
    p_ns = lab.ns("p")
    veth_pair(d_ns, "10.0.1.1/24", p_ns, "10.0.1.2/24")
    d = Nvabgpd(d_ns, tmp_path, _config([peer("old", "10.0.1.2", 65002, passive=True)])).start()
    wait_until(d.ready, 20, what="control socket")
    RawPeer(p_ns, "10.0.1.2", "10.0.1.1", asn=65002).connect().close()
    _reload(d, _config([peer("new", "10.0.1.2", 65002, passive=True)]))
    raw = RawPeer(p_ns, "10.0.1.2", "10.0.1.1", asn=65002).connect()
    wait_until(lambda: d.state("new") == "Established", 20, what="new peer up")
    raw.close()
