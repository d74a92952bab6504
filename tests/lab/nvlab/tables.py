"""Seed-style tables from every speaker of the lab (what `up` and `show` print)."""
from . import topology as T
from .util import Daemon

ORIGIN = {"IGP": "Igp", "incomplete": "Incomplete", "EGP": "Egp", "i": "Igp", "?": "Incomplete",
          "e": "Egp"}


def table(title, header, rows):
    rows = [[str(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [f"\n== {title}", fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*r) for r in rows] or ["(none)"]
    print("\n".join(out))


def _as_path(p: str) -> str:
    return "-".join(p.split())


def ergw_learned(lab):
    rows = []
    for prefix, paths in sorted(lab.ergw.rib().items()):
        for p in paths:
            peer = p.get("peerId", "")
            nh = (p.get("nexthops") or [{}])[0].get("ip", "")
            kind = "Network" if peer == "(unspec)" else (
                "IBgp" if p.get("pathFrom") == "internal" else "EBgp")
            rows.append([prefix, kind, T.ERGW_ADDR if kind == "Network" else peer,
                         _as_path(p.get("path", "")), p.get("weight", 0),
                         "" if kind == "Network" else nh, ">" if p.get("bestpath") else ""])
    table("ExpressRoute gateway (FRR): learned routes  [vtysh: show bgp ipv4 unicast]",
          ["Network", "Origin", "SourcePeer", "AsPath", "Weight", "NextHop", "Best"], rows)


def ergw_advertised(lab, rs_addr):
    rows = [[prefix, "self" if r.get("nextHop") in ("0.0.0.0", None) else r["nextHop"],
             ORIGIN.get(r.get("bgpOriginCode"), r.get("bgpOriginCode")),
             _as_path(r.get("path", ""))]
            for prefix, r in sorted(lab.ergw.neighbor_routes(rs_addr, "advertised-routes").items())]
    table(f"ExpressRoute gateway: advertised to Route Server {rs_addr} (next hop self = "
          f"{T.ERGW_ADDR})", ["Network", "NextHop", "Origin", "AsPath"], rows)


def rs_tables(lab, name, learned=True, advertised=True):
    hub = T.HUBS[int(name[2]) - 1]
    rs_addr = hub.rs_addrs[int(name[3])]
    if learned:
        rs_learned_table(lab, name, hub, rs_addr)
    if advertised:
        rs_advertised_table(lab, name, hub, rs_addr)


def rs_learned_table(lab, name, hub, rs_addr):
    rows = []
    for prefix, paths in sorted(lab.rs_learned(name).items()):
        for p in paths:
            rows.append([rs_addr, prefix, (p.get("nexthops") or [{}])[0].get("ip", ""),
                         p.get("peerId", ""), "EBgp", _as_path(p.get("path", ""))])
    table(f"Route Server {name} ({rs_addr}): learned from NVA{hub.n}",
          ["LocalAddress", "Network", "NextHop", "SourcePeer", "Origin", "AsPath"], rows)


def rs_advertised_table(lab, name, hub, rs_addr):
    rows = [[rs_addr, prefix, rs_addr, ORIGIN.get(r.get("bgpOriginCode"), ""),
             _as_path(f"{T.RS_ASN} {r.get('path', '')}")]
            for prefix, r in sorted(lab.rs_advertised(name).items())]
    table(f"Route Server {name} ({rs_addr}): advertised to NVA{hub.n}",
          ["LocalAddress", "Network", "NextHop", "Origin", "AsPath"], rows)


# What the seed shows of each NVA, in its order: NVA1's routes from its Route Server with the
# attribute block (community 65517:65517, the Route Server as next hop), NVA2's routes from
# hub1 over the VXLAN and then 1.2.3.0/24 with its attributes (the 65515 in its path).
NVA_VIEWS = {1: (("protocol", "rs0", "all"),),
             2: (("protocol", "hub1"), (T.ONPREM_PREFIX, "all"))}


def nva_table(lab, n, views=None):
    nva = lab.nva(n)
    tool = "birdc" if nva.kind == "bird" else "nvabgpctl"
    for args in views or NVA_VIEWS[n]:
        print(f"\n== NVA{n}: {nva.describe()}  [{tool}: show route {' '.join(args)}]")
        try:
            print(nva.show(*args).rstrip())
        except RuntimeError as e:       # e.g. an nvabgpctl without `show route` yet
            print(f"({tool} failed: {str(e).strip()[:160]}); the RIB as read from the daemon:")
            rows = [[prefix, ",".join(p["gateways"]) or "-", p["proto"], "*" if p["best"] else "",
                     " ".join(map(str, p["as_path"])), p.get("next_hop") or "",
                     " ".join(p["communities"])]
                    for prefix, paths in sorted(nva.routes().items()) for p in paths]
            table(f"NVA{n} routes", ["Prefix", "Via", "From", "Best", "AS path", "Next hop",
                                     "Communities"], rows)
            break


def gobgp_table(lab, g, title):
    print(f"\n== {title}  [gobgp global rib]")
    print(g.gobgp("global", "rib").rstrip())


def effective_routes(lab, hub):
    """The fabric router's kernel table, shown like a spoke NIC's effective routes."""
    rows = []
    for r in lab.kernel_routes(hub.fabric):
        dst = r["dst"]
        if r.get("protocol") == "kernel":
            src, typ, nh = "Default", "VnetLocal", ""
        elif str(r.get("protocol")) == str(T.VNET_PROTO):
            gws = [r["gateway"]] if "gateway" in r else [x["gateway"] for x in r["nexthops"]]
            src, typ, nh = "VirtualNetworkGateway", "VirtualNetworkGateway", ",".join(gws)
        elif r.get("dev") == "peering":
            src, typ, nh = "Default", "VNetPeering", ""
        else:
            src, typ, nh = "Default", "?", r.get("gateway", "")
        rows.append([src, "Active", dst, typ, nh])
    table(f"spoke effective routes, hub{hub.n} (kernel table of fabric {hub.fabric})",
          ["Source", "State", "Address Prefix", "Next Hop Type", "Next Hop IP"], rows)


def print_status(lab):
    print(f"\nlab {lab.prefix}: NVAs run {lab.kind}; run dir {lab.run_dir}")
    pids = sorted((lab.run_dir / "pids").glob("*.json")) if (lab.run_dir / "pids").is_dir() \
        else []
    states = [f"{f.stem}:{'up' if Daemon(lab.run_dir, f.stem).alive() else 'DOWN'}" for f in pids]
    print("daemons: " + " ".join(states))
    present = sum(ns.exists() for ns in lab.fabric.all_ns())
    print(f"namespaces: {present}/{len(lab.fabric.nodes())} present ({lab.prefix}*)")
    speakers = [(name, inst.sessions) for name, inst in lab.rs.items()]
    speakers += [("ergw", lab.ergw.sessions), ("msee", lab.msee.sessions),
                 ("onprem", lab.onprem.sessions), ("nva1", lab.nva(1).sessions),
                 ("nva2", lab.nva(2).sessions)]
    if getattr(lab, "ha", False):
        speakers.append(("nva1b", lab.nva("1b").sessions))
    for name, sessions in speakers:
        try:
            states = " ".join(f"{peer}={state}" for peer, state in sessions().items())
        except Exception as e:  # noqa: BLE001 - status reports, it does not fail
            states = f"(unavailable: {str(e).splitlines()[0][:80]})"
        print(f"  sessions {name:7} {states}")


def print_tables(lab):
    """The seed's tables in the seed's order (hub1's Route Server and gateway, NVA1, hub1's
    spokes, then hub2), followed by the tables the seed does not show."""
    h1_rs, h2_rs = ([n for n in lab.rs if n.startswith(f"rs{h}")] for h in (1, 2))
    rs_tables(lab, h1_rs[0], advertised=False)
    ergw_learned(lab)
    ergw_advertised(lab, T.HUB1.rs_addrs[0])
    rs_tables(lab, h1_rs[0], learned=False)
    nva_table(lab, 1)
    effective_routes(lab, T.HUB1)
    nva_table(lab, 2, NVA_VIEWS[2][:1])
    effective_routes(lab, T.HUB2)
    for name in h2_rs:
        rs_tables(lab, name)
    nva_table(lab, 2, NVA_VIEWS[2][1:])
    for name in h1_rs[1:]:
        rs_tables(lab, name)
    nva_table(lab, 1, ((),))
    nva_table(lab, 2, ((),))
    gobgp_table(lab, lab.msee, "MSEE (GoBGP, AS 12076)")
    gobgp_table(lab, lab.onprem, "on-premises (GoBGP, AS 133937)")
