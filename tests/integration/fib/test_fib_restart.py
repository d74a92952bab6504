"""Restart behaviour in a namespace: persist keeps routes across a clean stop; adopted routes
are reconciled after initial convergence; a crashed daemon's routes are cleaned up."""
from fibnet import hops, routes


def test_clean_stop_without_persist_removes_our_routes(net):
    d = net.driver()
    d.cmd("add 1.2.3.0/24 10.1.0.4")
    d.cmd("add 2001:db8:100::/48 2001:db8:2::2")
    d.cmd("flush")
    assert routes(net.r, proto=186) and routes(net.r, family=6, proto=186)
    d.stop()
    assert routes(net.r, proto=186) == {}
    assert routes(net.r, family=6, proto=186) == {}
    assert "0.0.0.0/0" in routes(net.r)  # the static default route is still there


def test_persist_then_restart_reconciles_after_convergence(net):
    d = net.driver("persist=1")
    d.cmd("add 1.1.1.0/24 10.1.0.4")      # will be re-announced identically
    d.cmd("add 2.2.2.0/24 10.1.0.4")      # will come back with another next hop
    d.cmd("add 3.3.3.0/24 10.1.0.4")      # will not come back
    d.cmd("add 2001:db8:300::/48 2001:db8:2::2")  # will not come back either
    d.cmd("flush")
    d.stop()  # persist from the config
    kept = routes(net.r, proto=186)
    assert set(kept) == {"1.1.1.0/24", "2.2.2.0/24", "3.3.3.0/24"}
    assert "2001:db8:300::/48" in routes(net.r, family=6, proto=186)

    d2 = net.driver()
    assert d2.stats()["adopted"] == "4"
    d2.cmd("add 1.1.1.0/24 10.1.0.5")     # resolves to the same gateway: identical
    d2.cmd("add 2.2.2.0/24 192.168.0.2")
    d2.cmd("flush")
    tab = routes(net.r, proto=186)
    # Before convergence, unannounced routes keep forwarding.
    assert set(tab) == {"1.1.1.0/24", "2.2.2.0/24", "3.3.3.0/24"}
    assert hops(tab["2.2.2.0/24"]) == [("192.168.0.2", net.up2)]
    d2.cmd("converged")
    tab = routes(net.r, proto=186)
    assert set(tab) == {"1.1.1.0/24", "2.2.2.0/24"}
    assert routes(net.r, family=6, proto=186) == {}
    st = d2.stats()
    assert st["kept_adopted"] == "1" and st["stale_removed"] == "2"
    d2.stop()
    assert routes(net.r, proto=186) == {}


def test_crash_leaves_routes_and_the_next_run_cleans_them(net):
    net.r.ip("route", "add", "7.7.7.0/24", "via", "10.1.1.1", "proto", "static")
    d = net.driver()
    d.cmd("add 1.2.3.0/24 10.1.0.4")
    d.cmd("add 1.2.4.0/24 192.168.0.2 192.168.0.3")
    d.cmd("flush")
    d.kill()
    assert set(routes(net.r, proto=186)) == {"1.2.3.0/24", "1.2.4.0/24"}
    d2 = net.driver()
    assert d2.stats()["adopted"] == "2"
    d2.cmd("add 1.2.4.0/24 192.168.0.3 192.168.0.2")  # same ECMP set, other order
    d2.cmd("converged")
    assert set(routes(net.r, proto=186)) == {"1.2.4.0/24"}
    assert d2.stats()["kept_adopted"] == "1"
    d2.stop()
    assert routes(net.r, proto=186) == {}
    assert "7.7.7.0/24" in routes(net.r)


# Tables larger than one netlink batch (2,048 ops): the stop and the convergence sweep each
# walk every route. A crash here leaves the kernel holding routes nobody owns.
BIG = 10_000


def test_clean_stop_removes_a_table_larger_than_a_batch(net):
    d = net.driver()
    d.cmd(f"bulk add 100.0.0.0/24 {BIG} 10.1.0.4")
    assert len(routes(net.r, proto=186)) == BIG
    reply = d.stop()
    assert reply["installed"] == "0"
    assert routes(net.r, proto=186) == {}


def test_restart_with_a_persisted_table_larger_than_a_batch(net):
    d = net.driver("persist=1")
    d.cmd(f"bulk add 100.0.0.0/24 {BIG} 10.1.0.4")
    d.stop()
    assert len(routes(net.r, proto=186)) == BIG

    d2 = net.driver()
    assert d2.stats()["adopted"] == str(BIG)
    # The RIB re-learns the first half identically; the rest never comes back.
    d2.cmd(f"bulk add 100.0.0.0/24 {BIG // 2} 10.1.0.5")
    assert len(routes(net.r, proto=186)) == BIG  # nothing swept before convergence
    d2.cmd("converged")
    tab = routes(net.r, proto=186)
    assert len(tab) == BIG // 2
    # nth /24 from 100.0.0.0: 4,999 -> 100.19.135.0 (kept), 5,000 -> 100.19.136.0 (swept)
    assert "100.0.0.0/24" in tab and "100.19.135.0/24" in tab and "100.19.136.0/24" not in tab
    st = d2.stats()
    assert st["kept_adopted"] == str(BIG // 2) and st["stale_removed"] == str(BIG // 2)
    d2.stop()
    assert routes(net.r, proto=186) == {}
