"""The VNet "programmer": how Azure Route Server puts BGP routes into a VNet's effective routes.

ARS does not announce what it learns to the VNet over BGP: the platform programs it into every
NIC's effective route table, next hop = the BGP next hop (the NVA, or the ExpressRoute gateway).
That is why a NO_ADVERTISE route still reaches the spokes. This process emulates it for one hub:
it reads the best paths of the hub's Route Server instances (FRR's JSON) and reconciles the
fabric router's kernel table (protocol 250, metric 50) with them, ECMP across instances.
Self-originated VNet prefixes (already system routes) and the 169.254 transit /30s (never
plumbed, as the seed shows) are skipped. Run inside the fabric namespace:

    python3 -m nvlab.programmer --run-dir DIR --hub N
"""
import argparse
import ipaddress
import json
import pathlib
import subprocess
import sys
import time

from . import topology as T

TRANSIT = ipaddress.ip_network("169.254.0.0/16")


def best_next_hops(rib: dict) -> dict:
    """FRR `show bgp ipv4 unicast json` routes -> {prefix: {next hop}} for programmable ones."""
    out = {}
    for prefix, paths in rib.items():
        net = ipaddress.ip_network(prefix)
        if net.subnet_of(TRANSIT):
            continue
        for p in paths:
            chosen = p.get("bestpath") or p.get("multipath")
            if not (p.get("valid") and chosen):
                continue
            for nh in p.get("nexthops", []):
                ip = nh.get("ip")
                if ip and ip != "0.0.0.0":
                    out.setdefault(prefix, set()).add(ip)
    return out


def read_rs(vty_dir: pathlib.Path):
    r = subprocess.run(["vtysh", "--vty_socket", str(vty_dir), "-c",
                        "show bgp ipv4 unicast json"], capture_output=True, text=True, timeout=10)
    if r.returncode != 0 or not r.stdout.strip():
        return None
    return json.loads(r.stdout).get("routes", {})


def installed() -> dict:
    r = subprocess.run(["ip", "-j", "route", "show", "proto", str(T.VNET_PROTO)],
                       capture_output=True, text=True, check=True)
    out = {}
    for rt in json.loads(r.stdout or "[]"):
        dst = rt["dst"] if "/" in rt["dst"] else rt["dst"] + "/32"
        gws = {rt["gateway"]} if "gateway" in rt else {n["gateway"] for n in rt.get("nexthops", [])}
        out[dst] = gws
    return out


def program(want: dict, have: dict):
    for prefix in have.keys() - want.keys():
        subprocess.run(["ip", "route", "del", prefix, "proto", str(T.VNET_PROTO), "metric",
                        str(T.VNET_METRIC)], capture_output=True)
    for prefix, nhs in want.items():
        if have.get(prefix) == nhs:
            continue
        hops = []
        for nh in sorted(nhs):
            hops += ["nexthop", "via", nh] if len(nhs) > 1 else ["via", nh]
        subprocess.run(["ip", "route", "replace", prefix, "proto", str(T.VNET_PROTO), "metric",
                        str(T.VNET_METRIC), *hops], capture_output=True)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--run-dir", required=True, type=pathlib.Path)
    ap.add_argument("--hub", required=True, type=int)
    ap.add_argument("--interval", type=float, default=0.5)
    args = ap.parse_args(argv)
    hub = T.HUBS[args.hub - 1]
    dirs = [args.run_dir / "frr" / name for name in hub.rs_names]
    while True:
        want: dict = {}
        for d in dirs:
            rib = read_rs(d)
            for prefix, nhs in best_next_hops(rib or {}).items():
                want.setdefault(prefix, set()).update(nhs)
        program(want, installed())
        time.sleep(args.interval)   # the emulated SDN's programming period


if __name__ == "__main__":
    sys.exit(main())
