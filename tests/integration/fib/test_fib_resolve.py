"""Next-hop tracking in a namespace: routes follow the kernel's IGP routes and links, the
change notification names the next hops, and the capture protection holds."""
from fibnet import _g1_if, eventually, hops, routes


def ours(net, prefix, family=4):
    return routes(net.r, family=family, proto=186).get(prefix)


def test_reresolution_when_the_gateway_route_changes(net):
    d = net.driver()
    assert d.cmd("resolve 10.1.0.4").split()[0] == "10.1.1.1"
    d.cmd("add 1.2.3.0/24 10.1.0.4")
    d.cmd("flush")
    assert hops(ours(net, "1.2.3.0/24")) == [("10.1.1.1", net.up1)]
    d.cmd("resolve 10.1.0.9")
    d.cmd("forget 10.1.0.9")  # no path uses it any more: no notifications for it
    d.cmd("changes")  # start from a clean slate
    # A more specific static route towards the Route Server appears: follow it.
    net.r.ip("route", "add", "10.1.0.0/24", "via", "192.168.0.2", "proto", "static")
    eventually(lambda: hops(ours(net, "1.2.3.0/24")) == [("192.168.0.2", net.up2)],
               "route moved to 192.168.0.2")
    seen = []
    eventually(lambda: seen.extend(d.cmd("changes").split()) or "10.1.0.4" in seen,
               "change notification")
    assert "10.1.0.9" not in seen
    assert d.cmd("resolve 10.1.0.4").split()[0] == "192.168.0.2"
    # ... and back when it is deleted.
    net.r.ip("route", "del", "10.1.0.0/24", "via", "192.168.0.2", "proto", "static")
    eventually(lambda: hops(ours(net, "1.2.3.0/24")) == [("10.1.1.1", net.up1)],
               "route back via 10.1.1.1")
    d.stop()


def test_reresolution_when_a_link_goes_down_and_away(net):
    d = net.driver()
    net.r.ip("route", "add", "10.1.0.0/24", "via", "192.168.0.2", "proto", "static")
    d.cmd("add 1.2.3.0/24 10.1.0.4")
    d.cmd("add 2.2.2.0/24 192.168.0.3")
    d.cmd("flush")
    assert hops(ours(net, "1.2.3.0/24")) == [("192.168.0.2", net.up2)]
    # up2 goes down: the kernel silently flushes routes through it (ours too); the static
    # /24 is gone, so 10.1.0.4 falls back to the default route, and 192.168.0.3 likewise.
    net.r.ip("link", "set", net.up2, "down")
    eventually(lambda: ours(net, "1.2.3.0/24") and
               hops(ours(net, "1.2.3.0/24")) == [("10.1.1.1", net.up1)], "1.2.3.0/24 via up1")
    eventually(lambda: ours(net, "2.2.2.0/24") and
               hops(ours(net, "2.2.2.0/24")) == [("10.1.1.1", net.up1)], "2.2.2.0/24 via up1")
    # up1 disappears entirely: nothing can resolve, so nothing of ours stays.
    net.r.ip("link", "del", net.up1)
    eventually(lambda: routes(net.r, proto=186) == {}, "our routes removed")
    assert d.cmd("resolve 10.1.0.4") == "unreachable"
    # up2 comes back: the connected route returns and 2.2.2.0/24 is installed again.
    net.r.ip("link", "set", net.up2, "up")
    eventually(lambda: ours(net, "2.2.2.0/24") and
               hops(ours(net, "2.2.2.0/24")) == [("192.168.0.3", net.up2)],
               "2.2.2.0/24 back via up2")
    assert ours(net, "1.2.3.0/24") is None  # 10.1.0.4 is still unreachable
    st = d.stop()
    assert int(st["resyncs"]) >= 1


def test_unreachable_next_hop_is_not_installed_until_reachable(net):
    d = net.driver()
    net.r.ip("route", "del", "default")
    eventually(lambda: d.cmd("resolve 10.1.0.4") == "unreachable", "default route gone")
    d.cmd("add 1.2.3.0/24 10.1.0.4")
    d.cmd("flush")
    assert ours(net, "1.2.3.0/24") is None
    net.r.ip("route", "add", "10.1.0.0/24", "via", "10.1.1.1", "proto", "dhcp")
    eventually(lambda: ours(net, "1.2.3.0/24") is not None, "installed once reachable")
    assert hops(ours(net, "1.2.3.0/24")) == [("10.1.1.1", net.up1)]
    eventually(lambda: "10.1.0.4" in d.cmd("changes").split(), "change notification")


def test_protected_address_is_pinned_not_captured(net):
    # 10.2.1.4 is the VXLAN underlay endpoint of the other NVA, reached via the default route.
    d = net.driver("protect=10.2.1.4")
    d.cmd("add 10.2.0.0/16 192.168.0.2")   # learned over the overlay: would capture it
    d.cmd("add 10.3.0.0/16 192.168.0.2")   # harmless
    d.cmd("flush")
    # The endpoint is pinned to its IGP path first, then the /16 goes in.
    assert hops(ours(net, "10.2.1.4/32")) == [("10.1.1.1", net.up1)]
    assert hops(ours(net, "10.2.0.0/16")) == [("192.168.0.2", net.up2)]
    assert ours(net, "10.3.0.0/16") is not None
    assert int(d.stats()["refused_protected"]) == 0
    assert "pinning protected address 10.2.1.4" in d.stderr()
    got = net.r.out("ip", "-j", "route", "get", "10.2.1.4").replace(" ", "")
    assert '"gateway":"10.1.1.1"' in got
    # A more specific non-BGP route for the endpoint makes the pin unnecessary.
    net.r.ip("route", "add", "10.2.1.0/24", "via", "10.1.1.1", "proto", "static")
    eventually(lambda: ours(net, "10.2.1.4/32") is None, "pin removed")
    assert ours(net, "10.2.0.0/16") is not None
    # Remove it again: the pin comes back, the /16 stays.
    net.r.ip("route", "del", "10.2.1.0/24", "via", "10.1.1.1", "proto", "static")
    eventually(lambda: ours(net, "10.2.1.4/32") is not None, "pin back")
    # The default route moves to another gateway: the pin follows it.
    net.g1.ip("addr", "add", "10.1.1.254/24", "dev", _g1_if(net.g1))
    net.r.ip("route", "replace", "default", "via", "10.1.1.254", "proto", "static")
    eventually(lambda: hops(ours(net, "10.2.1.4/32")) == [("10.1.1.254", net.up1)], "pin moved")
    got = net.r.out("ip", "-j", "route", "get", "10.2.1.4").replace(" ", "")
    assert '"gateway":"10.1.1.254"' in got
    # No longer protected: the pin goes, the /16 stays.
    d.cmd("protect")
    assert ours(net, "10.2.1.4/32") is None
    assert ours(net, "10.2.0.0/16") is not None
    d.stop()


def test_covering_route_with_the_same_path_needs_no_pin(net):
    # 10.1.0.0/20 learned from the Route Server 10.1.0.4 covers it, but forwards exactly as the
    # default route does (via 10.1.1.1 on up1): installed as is, nothing pinned.
    d = net.driver("protect=10.1.0.4,10.1.0.5")
    d.cmd("add 10.1.0.0/20 10.1.0.4")
    d.cmd("flush")
    assert hops(ours(net, "10.1.0.0/20")) == [("10.1.1.1", net.up1)]
    assert set(routes(net.r, proto=186)) == {"10.1.0.0/20"}
    assert int(d.stats()["pins_installed"]) == 0
    d.stop()


def test_monitor_overrun_triggers_a_full_resync(net, tmp_path):
    # A small monitor buffer and a stalled FIB thread (held in the change callback, as a slow
    # consumer would hold it) while 3000 static routes arrive: the monitor socket overruns
    # (ENOBUFS) and the FIB must read the kernel again rather than miss the one change that
    # matters in the middle of the burst.
    d = net.driver("monitor_buffer=16384")
    d.cmd("add 1.2.3.0/24 10.1.0.4")
    d.cmd("flush")
    assert d.cmd("resolve 10.1.0.4") == f"10.1.1.1 {ifindex(net, net.up1)} 0"
    d.cmd("hold")
    net.r.ip("route", "add", "10.1.0.0/26", "via", "10.1.1.1", "metric", "5", "proto", "static")
    eventually(lambda: d.cmd("held") == "1", "FIB thread held in the callback")
    lines = [f"route add 172.{16 + i // 256}.{i % 256}.0/24 via 10.1.1.1 proto static"
             for i in range(3000)]
    lines.insert(1500, "route add 10.1.0.0/28 via 192.168.0.2 proto static")
    batch = tmp_path / "burst"
    batch.write_text("\n".join(lines) + "\n")
    net.r.exec("ip", "-batch", str(batch))
    d.cmd("release")
    eventually(lambda: hops(ours(net, "1.2.3.0/24")) == [("192.168.0.2", net.up2)],
               "route follows the static /28 from the middle of the burst")
    st = d.stop()
    assert int(st["resyncs"]) >= 1, d.stderr()
    assert "overrun" in d.stderr()


def ifindex(net, dev):
    import json
    return json.loads(net.r.out("ip", "-j", "link", "show", dev))[0]["ifindex"]
