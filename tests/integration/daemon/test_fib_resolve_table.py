"""Routes installed into a separate kernel table (policy routing) resolve their BGP next hops
through the main table by default (`kernel: resolve-table`, default main): BIRD's directly
connected next hop exists only in main (the connected route of the link), and every route
still goes into table 100 via it. Before the fix nvabgpd resolved only through the table it
installs into, so every route was "next hop unreachable" and table 100 stayed empty."""
from nvbtest import wait_until
from nvbtest.peers import Neighbor
from nvd import BirdSpeaker, Nvabgpd, link, peer

COUNT = 50


def table_routes(ns, table):
    """Our routes in a table (a table that never held a route does not exist: none)."""
    r = ns.exec("ip", "-4", "route", "show", "table", str(table), "proto", "186", check=False)
    return r.stdout.splitlines() if r.returncode == 0 else []


def test_routes_in_table_100_resolve_a_next_hop_known_only_in_main(lab, tmp_path):
    d_ns = lab.ns("d")
    b_ns = link(lab, d_ns, "b", "10.0.1.1/24", "10.0.1.2/24")
    # The next hop's only route is the connected one in main; table 100 is empty.
    assert table_routes(d_ns, 100) == []
    cfg = {"router-id": "10.0.0.1", "asn": 65001,
           "kernel": {"enabled": True, "table": 100},
           "peers": [peer("bird", "10.0.1.2", 65002)]}
    d = Nvabgpd(d_ns, tmp_path, cfg)
    statics = [(f"100.0.{i}.0/24", "blackhole") for i in range(COUNT)]
    b = BirdSpeaker(b_ns, tmp_path, 65002, "10.0.1.2", [Neighbor("10.0.1.1", 65001)],
                    static=statics)
    d.start(kernel=True)
    b.start()
    wait_until(lambda: len(table_routes(d_ns, 100)) == COUNT, 60,
               what=f"{COUNT} routes in table 100")
    got = table_routes(d_ns, 100)
    assert all("via 10.0.1.2 dev" in r for r in got), got[:3]
    # Nothing leaks into main.
    assert d_ns.out("ip", "-4", "route", "show", "proto", "186") == ""
    d.stop()
    assert d.proc.popen.returncode == 0, d.log()[-4000:]
    assert table_routes(d_ns, 100) == []

