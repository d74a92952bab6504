"""NetlinkFib in a namespace: install, replace, withdraw, recursive next hops, ECMP, IPv6,
other protocols' routes. Every check reads the real kernel table."""
from fibnet import hops, routes


def test_install_replace_withdraw(net):
    d = net.driver()
    d.cmd("add 1.2.3.0/24 192.168.0.2")
    d.cmd("flush")
    r = routes(net.r)["1.2.3.0/24"]
    assert hops(r) == [("192.168.0.2", net.up2)]
    assert r["metric"] == 20 and r["protocol"] == "bgp"
    # Replace: a recursive next hop now, resolved through the default route's gateway.
    d.cmd("add 1.2.3.0/24 10.1.0.4")
    d.cmd("flush")
    assert hops(routes(net.r, proto=186)["1.2.3.0/24"]) == [("10.1.1.1", net.up1)]
    d.cmd("del 1.2.3.0/24")
    d.cmd("flush")
    assert "1.2.3.0/24" not in routes(net.r)
    st = d.stop()
    assert st["kernel_errors"] == "0"


def test_route_covering_the_route_server_does_not_capture_its_next_hop(net):
    d = net.driver()
    # 10.1.0.4 (a Route Server) is reached via the default route; BGP then learns
    # 10.1.0.0/20 from it, which covers 10.1.0.4 itself.
    assert d.cmd("resolve 10.1.0.4") .split()[0] == "10.1.1.1"
    d.cmd("add 10.1.0.0/20 10.1.0.4")
    d.cmd("add 10.1.16.0/24 10.1.0.4 10.1.0.5")
    d.cmd("flush")
    tab = routes(net.r, proto=186)
    assert hops(tab["10.1.0.0/20"]) == [("10.1.1.1", net.up1)]
    assert hops(tab["10.1.16.0/24"]) == [("10.1.1.1", net.up1)]
    # The resolution still goes through the non-BGP default route, and so does the kernel.
    assert d.cmd("resolve 10.1.0.4").split()[0] == "10.1.1.1"
    got = net.r.out("ip", "-j", "route", "get", "10.1.0.4")
    assert '"gateway":"10.1.1.1"' in got.replace(" ", "")


def test_ecmp_over_two_next_hops_and_max_paths(net):
    d = net.driver("max_paths=4")
    d.cmd("add 1.2.3.0/24 192.168.0.2 192.168.0.3")
    d.cmd("add 1.2.4.0/24 192.168.0.3 10.1.0.4")
    d.cmd("flush")
    tab = routes(net.r, proto=186)
    assert hops(tab["1.2.3.0/24"]) == [("192.168.0.2", net.up2), ("192.168.0.3", net.up2)]
    assert hops(tab["1.2.4.0/24"]) == sorted([("192.168.0.3", net.up2), ("10.1.1.1", net.up1)])
    # One leg goes away in BGP: the multipath route becomes a single path.
    d.cmd("add 1.2.3.0/24 192.168.0.3")
    d.cmd("flush")
    assert hops(routes(net.r, proto=186)["1.2.3.0/24"]) == [("192.168.0.3", net.up2)]
    d.stop()
    d1 = net.driver("max_paths=1")
    d1.cmd("add 1.2.3.0/24 192.168.0.2 192.168.0.3")
    d1.cmd("flush")
    assert len(hops(routes(net.r, proto=186)["1.2.3.0/24"])) == 1


def test_ipv6_install_ecmp_withdraw(net):
    d = net.driver()
    d.cmd("add 2001:db8:100::/48 2001:db8:2::2 2001:db8:2::3")
    d.cmd("add 2001:db8:200::/48 2001:db8:ffff::4")  # recursive via the default route
    d.cmd("flush")
    tab = routes(net.r, family=6, proto=186)
    assert hops(tab["2001:db8:100::/48"]) == [("2001:db8:2::2", net.up2),
                                              ("2001:db8:2::3", net.up2)]
    assert hops(tab["2001:db8:200::/48"]) == [("2001:db8:1::1", net.up1)]
    d.cmd("del 2001:db8:100::/48")
    d.cmd("flush")
    tab = routes(net.r, family=6, proto=186)
    assert "2001:db8:100::/48" not in tab and "2001:db8:200::/48" in tab
    d.stop()
    assert routes(net.r, family=6, proto=186) == {}


def test_other_protocols_routes_are_never_touched(net):
    net.r.ip("route", "add", "5.5.5.0/24", "via", "10.1.1.1", "proto", "static", "metric", "20")
    net.r.ip("route", "add", "6.6.6.0/24", "via", "192.168.0.2", "proto", "187")
    net.r.ip("-6", "route", "add", "2001:db8:55::/48", "via", "2001:db8:1::1", "proto", "static")
    before = {4: routes(net.r), 6: routes(net.r, family=6)}
    d = net.driver()
    # Same key as the static route (prefix and metric 20): refused, not replaced.
    d.cmd("add 5.5.5.0/24 192.168.0.2")
    # Same prefix as proto 187 but another metric: coexists; withdraw removes only ours.
    d.cmd("add 6.6.6.0/24 10.1.0.4")
    d.cmd("flush")
    assert d.stats()["refused_foreign"] == "1"
    assert hops(routes(net.r)["5.5.5.0/24"]) == [("10.1.1.1", net.up1)]
    ours = routes(net.r, proto=186)
    assert set(ours) == {"6.6.6.0/24"}
    d.cmd("del 6.6.6.0/24")
    d.cmd("flush")
    d.stop()
    after = {4: routes(net.r), 6: routes(net.r, family=6)}
    assert after == before


def test_separate_install_table_resolves_through_the_igp_table(net):
    d = net.driver("table=100 igp_table=254")
    d.cmd("add 1.2.3.0/24 10.1.0.4")
    d.cmd("flush")
    tab = routes(net.r, table="100")
    assert hops(tab["1.2.3.0/24"]) == [("10.1.1.1", net.up1)]
    assert "1.2.3.0/24" not in routes(net.r)
    d.stop()
    assert routes(net.r, table="100") == {}


def test_a_kernel_error_inside_a_batch_affects_only_that_route(net):
    d = net.driver()
    # 2001:db8:2::1 is R's own address: it resolves (connected /64) but the kernel refuses a
    # local address as gateway. Its neighbours in the same netlink batch must not suffer.
    d.cmd("multi add 2001:db8:300::/48 2001:db8:2::2;add 2001:db8:301::/48 2001:db8:2::1;"
          "add 2001:db8:302::/48 2001:db8:2::2;add 1.2.3.0/24 10.1.0.4")
    d.cmd("flush")
    tab = routes(net.r, family=6, proto=186)
    assert set(tab) == {"2001:db8:300::/48", "2001:db8:302::/48"}
    assert "1.2.3.0/24" in routes(net.r, proto=186)
    st = d.stats()
    assert st["kernel_errors"] == "1" and st["installed"] == "3"
    assert "kernel refused 1 route operation" in d.stderr()
    d.stop()
    assert routes(net.r, family=6, proto=186) == {}
