"""Tunnel endpoint protection with a real VXLAN tunnel between two test namespaces.

nva1 (underlay 10.1.1.4/24, default via 10.1.1.1) and nva2 (underlay 10.1.1.1/24 plus the
tunnel endpoint 10.2.1.4 on its loopback, like the seed's NVA2 behind its subnet gateway) are
joined by a veth; vxlan0 runs 10.1.1.4 <-> 10.2.1.4 with the overlay 192.168.0.0/24. nva2
announces 10.2.0.0/16 over the overlay, which covers its own underlay endpoint: installed
naively it would capture the tunnel. The FIB discovers the endpoint from the vxlan link and
pins it."""
import json

import pytest

from fibnet import Driver, eventually, hops, routes
from nvbtest import Lab, unique_name, veth_pair


class Tunnel:
    def __init__(self, lab):
        self.a = lab.ns("v1")
        self.b = lab.ns("v2")
        self.a_if, self.b_if = veth_pair(self.a, "10.1.1.4/24", self.b, "10.1.1.1/24",
                                         a_if=unique_name("ua"), b_if=unique_name("ub"))
        self.b.ip("addr", "add", "10.2.1.4/32", "dev", "lo")
        self.b.ip("addr", "add", "10.2.5.5/32", "dev", "lo")  # a host inside 10.2.0.0/16
        self.a.ip("route", "add", "default", "via", "10.1.1.1", "proto", "static")
        self.b.ip("route", "add", "default", "via", "10.1.1.4", "proto", "static")
        self.drivers = []

    def vxlan(self, ns, local, remote, overlay, dev):
        ns.ip("link", "add", "vxlan0", "type", "vxlan", "id", "42", "local", local, "remote",
              remote, "dstport", "4789", "dev", dev)
        ns.ip("addr", "add", overlay, "dev", "vxlan0")
        ns.ip("link", "set", "vxlan0", "up")

    def up(self):
        self.vxlan(self.a, "10.1.1.4", "10.2.1.4", "192.168.0.1/24", self.a_if)
        self.vxlan(self.b, "10.2.1.4", "10.1.1.4", "192.168.0.2/24", self.b_if)

    def driver(self, args=""):
        d = Driver(self.a, args)
        self.drivers.append(d)
        return d

    def ours(self, prefix):
        return routes(self.a, proto=186).get(prefix)

    def pings(self, dst):
        return self.a.exec("ping", "-c1", "-W1", dst, check=False).returncode == 0

    def underlay_path(self):
        got = json.loads(self.a.out("ip", "-j", "route", "get", "10.2.1.4"))[0]
        return got.get("gateway"), got.get("dev")


@pytest.fixture
def tun():
    with Lab() as lab:
        t = Tunnel(lab)
        try:
            yield t
        finally:
            for d in t.drivers:
                d.kill()


def test_tunnel_endpoint_is_discovered_and_pinned(tun):
    d = tun.driver()  # the tunnel is created while the FIB runs: found by link monitoring
    tun.up()
    eventually(lambda: tun.pings("192.168.0.2"), "overlay up")
    d.cmd("add 10.2.0.0/16 192.168.0.2")
    eventually(lambda: tun.ours("10.2.0.0/16") is not None, "/16 installed")
    assert hops(tun.ours("10.2.1.4/32")) == [("10.1.1.1", tun.a_if)]
    assert hops(tun.ours("10.2.0.0/16")) == [("192.168.0.2", "vxlan0")]
    assert tun.underlay_path() == ("10.1.1.1", tun.a_if)
    # The tunnel still works, and carries the traffic for 10.2.0.0/16.
    assert tun.pings("192.168.0.2")
    eventually(lambda: tun.pings("10.2.5.5"), "ping across the overlay")
    got = json.loads(tun.a.out("ip", "-j", "route", "get", "10.2.5.5"))[0]
    assert got["dev"] == "vxlan0"
    assert "pinning protected address 10.2.1.4" in d.stderr()
    # The tunnel is deleted: its endpoint stops being protected, and the overlay subnet goes
    # with the link, so 192.168.0.2 now resolves via the default route (like the endpoint):
    # the /16 follows it and needs no pin.
    tun.a.ip("link", "del", "vxlan0")
    eventually(lambda: tun.ours("10.2.1.4/32") is None, "pin removed with the tunnel")
    eventually(lambda: hops(tun.ours("10.2.0.0/16")) == [("10.1.1.1", tun.a_if)],
               "/16 re-resolved via the underlay")
    # Recreated: protected again as soon as the /16 is back.
    tun.vxlan(tun.a, "10.1.1.4", "10.2.1.4", "192.168.0.1/24", tun.a_if)
    eventually(lambda: hops(tun.ours("10.2.0.0/16")) == [("192.168.0.2", "vxlan0")], "/16 back")
    assert hops(tun.ours("10.2.1.4/32")) == [("10.1.1.1", tun.a_if)]
    eventually(lambda: tun.pings("10.2.5.5"), "ping across the overlay again")
    stats = d.stop()
    assert routes(tun.a, proto=186) == {}  # clean shutdown removes route and pin
    assert int(stats["pins_removed"]) >= 2


def test_pins_persist_and_are_adopted_on_restart(tun):
    tun.up()
    d = tun.driver("persist=1")
    d.cmd("add 10.2.0.0/16 192.168.0.2")
    eventually(lambda: tun.ours("10.2.1.4/32") is not None, "pinned")
    d.stop()
    # persist: both stay, so the tunnel and the overlay traffic survive the restart.
    assert set(routes(tun.a, proto=186)) == {"10.2.0.0/16", "10.2.1.4/32"}
    assert tun.underlay_path() == ("10.1.1.1", tun.a_if)
    eventually(lambda: tun.pings("10.2.5.5"), "overlay works while the daemon is down")
    d2 = tun.driver()
    d2.cmd("add 10.2.0.0/16 192.168.0.2")
    d2.cmd("converged")
    st = d2.stats()
    assert int(st["adopted"]) == 2
    assert int(st["pins_installed"]) == 0  # the adopted pin was taken over as it was
    assert set(routes(tun.a, proto=186)) == {"10.2.0.0/16", "10.2.1.4/32"}
    # Withdrawn after the restart: route and pin go.
    d2.cmd("del 10.2.0.0/16")
    d2.cmd("flush")
    assert routes(tun.a, proto=186) == {}
    d2.stop()



def test_a_second_tunnel_is_protected_while_it_exists(tun):
    # (This kernel offers vxlan only; the other tunnel kinds are covered by the codec tests.)
    tun.up()
    tun.a.ip("link", "add", "vxlan1", "type", "vxlan", "id", "43", "local", "10.1.1.4",
             "remote", "10.2.1.9", "dstport", "4790", "dev", tun.a_if)
    tun.a.ip("link", "add", "vxlan2", "type", "vxlan", "id", "44", "group", "239.1.1.1",
             "dstport", "4791", "dev", tun.a_if)  # multicast: no endpoint to protect
    d = tun.driver()  # found by the initial link dump this time
    d.cmd("add 10.2.0.0/16 192.168.0.2")
    d.cmd("flush")
    pins = {p for p in routes(tun.a, proto=186) if p != "10.2.0.0/16"}
    assert pins == {"10.2.1.4/32", "10.2.1.9/32"}
    # The second tunnel goes: its endpoint's pin goes, the other pin and the route stay.
    tun.a.ip("link", "del", "vxlan1")
    eventually(lambda: tun.ours("10.2.1.9/32") is None, "endpoint unpinned")
    assert tun.ours("10.2.1.4/32") is not None
    assert hops(tun.ours("10.2.0.0/16")) == [("192.168.0.2", "vxlan0")]
    d.stop()
