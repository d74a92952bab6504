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
