"""Namespaces, bridges, veths, VXLAN and the non-BGP routes of the lab ("the Azure fabric").

Each hub has one fabric router namespace (f1, f2) with one bridge per subnet; every other node
plugs into a bridge by a veth created directly inside the node's namespace with its peer moved
into the fabric, so no interface ever appears in the root namespace. Forwarding is enabled
only inside lab namespaces.
"""
from . import topology as T
from .util import Ns, sh


class Fabric:
    def __init__(self, prefix: str, ha: bool = False):
        self.prefix, self.ha = prefix, ha

    def nodes(self):
        return T.ha_nodes() if self.ha else T.nodes()

    def ns(self, tag: str) -> Ns:
        return Ns(self.prefix + tag)

    def all_ns(self):
        return [self.ns(n.tag) for n in self.nodes()]

    # -- building -------------------------------------------------------------------------
    def create(self, log=print):
        """Creates whatever is missing (idempotent: an existing namespace is left as it is)."""
        fresh = []
        for node in self.nodes():
            ns = self.ns(node.tag)
            if ns.exists():
                continue
            sh("ip", "netns", "add", ns.name)
            ns.ip("link", "set", "lo", "up")
            for key, val in (("net.ipv4.ip_forward", 1), ("net.ipv4.conf.all.rp_filter", 0),
                             ("net.ipv4.conf.default.rp_filter", 0),
                             ("net.ipv4.conf.all.send_redirects", 0),
                             ("net.ipv4.conf.default.send_redirects", 0),
                             ("net.ipv4.fib_multipath_hash_policy", 1)):
                ns.sysctl(key, val)
            fresh.append(node.tag)
        if not fresh:
            log("namespaces already exist; keeping them")
            return False
        if len(fresh) != len(self.nodes()):
            raise RuntimeError(f"lab {self.prefix} is half built (missing {fresh}); "
                               f"run `down` first")
        self._wire()
        return True

    def _bridge(self, fab: Ns, name: str, gw_cidr: str | None):
        fab.ip("link", "add", name, "type", "bridge")
        if gw_cidr:
            fab.ip("addr", "add", gw_cidr, "dev", name)
        fab.ip("link", "set", name, "up")

    def _plug(self, node: Ns, ifname: str, cidr: str, fab: Ns, bridge: str, port: str):
        node.ip("link", "add", ifname, "type", "veth", "peer", "name", port, "netns", fab.name)
        node.ip("addr", "add", cidr, "dev", ifname)
        node.ip("link", "set", ifname, "up")
        fab.ip("link", "set", port, "master", bridge)
        fab.ip("link", "set", port, "up")

    def _wire(self):
        f1, f2 = self.ns("f1"), self.ns("f2")
        for hub in T.HUBS:
            fab = self.ns(hub.fabric)
            self._bridge(fab, "rssub", hub.rs_subnet_gw)
            self._bridge(fab, "nvasub", hub.nva_subnet_gw)
            for name, a in zip(hub.rs_names, hub.rs_addrs):
                self._plug(self.ns(name), "eth0", a + "/24", fab, "rssub", name)
                self.ns(name).ip("route", "add", "default", "via", T.addr(hub.rs_subnet_gw))
            nva = self.ns(hub.nva)
            self._plug(nva, "eth0", hub.nva_addr + "/24", fab, "nvasub", hub.nva)
            # The only way to the Route Servers and the other hub: the subnet gateway, a
            # non-BGP route (as on an Azure NIC). No static /32s.
            nva.ip("route", "add", "default", "via", T.addr(hub.nva_subnet_gw))
            for i, (gw, host) in enumerate(hub.spokes):
                br, tag = f"spoke{i + 1}", f"h{hub.n}{i + 1}"
                self._bridge(fab, br, gw)
                self._plug(self.ns(tag), "eth0", host, fab, br, tag)
                self.ns(tag).ip("route", "add", "default", "via", T.addr(gw))
        # Global VNet peering: each fabric reaches the other hub's VNet address space.
        f1.ip("link", "add", "peering", "type", "veth", "peer", "name", "peering", "netns",
              f2.name)
        for fab, cidr, hub in ((f1, T.PEERING[0], T.HUB2), (f2, T.PEERING[1], T.HUB1)):
            fab.ip("addr", "add", cidr, "dev", "peering")
            fab.ip("link", "set", "peering", "up")
        f1.ip("route", "add", T.HUB2.hub_prefix, "via", T.addr(T.PEERING[1]))
        f2.ip("route", "add", T.HUB1.hub_prefix, "via", T.addr(T.PEERING[0]))
        # Hub1 GatewaySubnet: the ExpressRoute gateway and MSEE.
        self._bridge(f1, "gwsub", T.GW_SUBNET_GW)
        ergw, msee, onp = self.ns("ergw"), self.ns("msee"), self.ns("onp")
        self._plug(ergw, "eth0", T.ERGW_ADDR + "/24", f1, "gwsub", "ergw")
        ergw.ip("route", "add", "default", "via", T.addr(T.GW_SUBNET_GW))
        self._plug(msee, "eth0", T.MSEE_ADDR + "/24", f1, "gwsub", "msee")
        # ExpressRoute private peering (primary link) between MSEE and on-premises.
        msee.ip("link", "add", "er", "type", "veth", "peer", "name", "er", "netns", onp.name)
        msee.ip("addr", "add", T.MSEE_TRANSIT, "dev", "er")
        msee.ip("link", "set", "er", "up")
        onp.ip("addr", "add", T.ONPREM_TRANSIT, "dev", "er")
        onp.ip("link", "set", "er", "up")
        onp.ip("addr", "add", T.ONPREM_HOST + "/32", "dev", "lo")
        # GoBGP does not program the kernel: MSEE and on-premises get static routes.
        onp.ip("route", "add", "default", "via", T.addr(T.MSEE_TRANSIT))
        msee.ip("route", "add", T.ONPREM_PREFIX, "via", T.addr(T.ONPREM_TRANSIT))
        msee.ip("route", "add", "10.0.0.0/8", "via", T.ERGW_ADDR)
        self._vxlan()
        if self.ha:
            self._wire_ha()

    def _wire_ha(self):
        """NVA1b beside NVA1 in hub1's NVA subnet, its own VXLAN (VNI 101) to NVA2, and the
        extra spoke11 source addresses the drills choose flows with."""
        b, hub, f1 = T.NVA1B, T.HUB1, self.ns("f1")
        nva = self.ns(b.tag)
        self._plug(nva, "eth0", b.addr + "/24", f1, "nvasub", b.tag)
        nva.ip("route", "add", "default", "via", T.addr(hub.nva_subnet_gw))
        for ns, dev, local, remote, cidr in (
                (nva, "vxlan0", b.addr, T.HUB2.nva_addr, b.overlay_addr),
                (self.ns(T.HUB2.nva), b.nva2_dev, T.HUB2.nva_addr, b.addr,
                 b.peer_overlay_addr)):
            ns.ip("link", "add", dev, "type", "vxlan", "id", str(b.vni), "local", local,
                  "remote", remote, "dstport", str(T.VXLAN_PORT), "dev", "eth0")
            ns.ip("link", "set", dev, "mtu", "1450")
            ns.ip("addr", "add", cidr + "/30", "dev", dev)
            ns.ip("link", "set", dev, "up")
        for a in T.HA_SPOKE11_SOURCES:
            self.ns("h11").ip("addr", "add", a + "/24", "dev", "eth0")

    def _vxlan(self):
        for hub in T.HUBS:
            peer = T.other(hub)
            nva = self.ns(hub.nva)
            nva.ip("link", "add", "vxlan0", "type", "vxlan", "id", str(T.VXLAN_ID),
                   "local", hub.nva_addr, "remote", peer.nva_addr,
                   "dstport", str(T.VXLAN_PORT), "dev", "eth0")
            nva.ip("link", "set", "vxlan0", "mtu", "1450")
            nva.ip("addr", "add", hub.overlay_addr + "/30", "dev", "vxlan0")
            nva.ip("link", "set", "vxlan0", "up")

    # -- teardown ---------------------------------------------------------------------------
    def delete(self):
        gone = []
        for ns in [self.ns(n.tag) for n in T.ha_nodes()]:   # whichever option built it
            if ns.exists():
                sh("ip", "netns", "del", ns.name, check=False)
                gone.append(ns.name)
        return gone
