"""The seed's addressing plan, as data. Every other module reads it from here."""
from dataclasses import dataclass, field

RS_ASN = 65515
MSEE_ASN = 12076
ONPREM_ASN = 133937
NO_ADVERTISE = "65535:65282"
ARS_COMMUNITY = "65517:65517"   # what ARS tags ExpressRoute-learned routes with (seed)
ONPREM_PREFIX = "1.2.3.0/24"
ONPREM_HOST = "1.2.3.1"
TRANSIT_PREFIXES = ("169.254.1.88/30", "169.254.1.92/30")
# On-premises also leaks its host's /32 and a /30: what the NVAs' TO_RS must never pass to a
# Route Server (the seed's NVAs had /32s of their own). Not seed rows; they make the /30-/32
# rule testable at both ends of the range (the 169.254 /30s never reach the NVAs).
ONPREM_LONG_PREFIXES = ("1.2.3.1/32", "1.2.3.252/30")
VNET_PROTO = 250        # kernel protocol number of routes the VNet "programmer" installs
VNET_METRIC = 50
# Shortened timers (keepalive, hold) so the failure drill is quick; the lab says so on output.
KEEPALIVE, HOLD = 3, 9


@dataclass(frozen=True)
class Hub:
    n: int                      # 1 or 2
    vnet: str                   # the hub's own VNet prefix (summary the NVA originates)
    vnet_prefixes: tuple        # what the Route Server originates (hub + directly peered spokes)
    rs_subnet_gw: str
    rs_addrs: tuple
    nva_subnet_gw: str
    nva_addr: str
    nva_asn: int
    overlay_addr: str           # NVA's VXLAN overlay address (/30)
    spokes: tuple               # (subnet gateway/len, host address/len)
    has_er: bool
    hub_prefix: str             # the hub VNet's own address space (system route over peering)

    @property
    def rs_names(self):
        return tuple(f"rs{self.n}{i}" for i in range(len(self.rs_addrs)))

    @property
    def nva(self):
        return f"nva{self.n}"

    @property
    def fabric(self):
        return f"f{self.n}"


HUB1 = Hub(1, "10.1.0.0/16", ("10.1.0.0/20", "10.1.16.0/24", "10.1.17.0/24"),
           "10.1.0.1/24", ("10.1.0.4", "10.1.0.5"), "10.1.1.1/24", "10.1.1.4", 65001,
           "192.168.0.1", (("10.1.16.1/24", "10.1.16.4/24"), ("10.1.17.1/24", "10.1.17.4/24")),
           True, "10.1.0.0/20")
HUB2 = Hub(2, "10.2.0.0/16", ("10.2.0.0/20", "10.2.16.0/24"),
           "10.2.0.1/24", ("10.2.0.4", "10.2.0.5"), "10.2.1.1/24", "10.2.1.4", 65002,
           "192.168.0.2", (("10.2.16.1/24", "10.2.16.4/24"),), False, "10.2.0.0/20")
HUBS = (HUB1, HUB2)

# Hub1's GatewaySubnet: the ExpressRoute gateway and, on the other side of it, MSEE.
GW_SUBNET_GW = "10.1.3.1/24"
ERGW_ADDR = "10.1.3.12"
MSEE_ADDR = "10.1.3.4"
# ExpressRoute private peering primary link between MSEE and on-premises (the first /30).
MSEE_TRANSIT = "169.254.1.89/30"
ONPREM_TRANSIT = "169.254.1.90/30"
# Global VNet peering underlay between the two hub fabrics.
PEERING = ("10.255.0.1/30", "10.255.0.2/30")
VXLAN_ID = 100
VXLAN_PORT = 4789


def other(hub: Hub) -> Hub:
    return HUB2 if hub is HUB1 else HUB1


def addr(cidr: str) -> str:
    return cidr.split("/")[0]


@dataclass
class Node:
    tag: str                    # namespace suffix
    role: str                   # fabric, rs, nva, ergw, msee, onprem, host
    hub: int
    extra: dict = field(default_factory=dict)


def nodes():
    """Every namespace of the lab, fabrics first (they hold the bridges others plug into)."""
    out = [Node("f1", "fabric", 1), Node("f2", "fabric", 2)]
    for hub in HUBS:
        for name, a in zip(hub.rs_names, hub.rs_addrs):
            out.append(Node(name, "rs", hub.n, {"addr": a}))
        out.append(Node(hub.nva, "nva", hub.n))
        for i, (_, host) in enumerate(hub.spokes):
            out.append(Node(f"h{hub.n}{i + 1}", "host", hub.n, {"addr": host}))
    out += [Node("ergw", "ergw", 1), Node("msee", "msee", 1), Node("onp", "onprem", 1)]
    return out


# -- the high-availability option (issue 14): a second NVA in hub1 ------------------------------
# NVA1b sits beside NVA1 ("NVA1a") in hub1's NVA subnet with the same ASN, peers with both hub1
# Route Servers and has its own VXLAN (VNI 101) to NVA2. Only `SeedLab(..., ha=True)` builds it.
@dataclass(frozen=True)
class ExtraNva:
    tag: str                    # namespace suffix (at most 4 characters)
    name: str                   # peer name on NVA2 and in the figures
    addr: str
    overlay_addr: str           # its end of the /30
    peer_overlay_addr: str      # NVA2's end
    vni: int
    nva2_dev: str               # NVA2's VXLAN device toward it


NVA1B = ExtraNva("nv1b", "hub1b", "10.1.1.5", "192.168.0.5", "192.168.0.6", 101, "vxlan1")
# Extra source addresses of spoke11 (ECMP picks an NVA per flow: the drills pick a source whose
# flow crosses the NVA they break).
HA_SPOKE11_SOURCES = tuple(f"10.1.16.{i}" for i in range(20, 36))


def ha_nodes():
    """nodes() plus NVA1b."""
    out = nodes()
    out.insert(out.index(next(n for n in out if n.tag == "nva1")) + 1,
               Node(NVA1B.tag, "nva", 1))
    return out
