"""The high-availability option of the lab (issue 14): two nvabgpd NVAs in hub1.

NVA1a (the lab's NVA1, namespace nva1, 10.1.1.4) and NVA1b (namespace nv1b, 10.1.1.5) have the
same ASN 65001 and the shipped nva1.yaml policy; both peer with both hub1 Route Servers (which
load-balance over them: ECMP in the spokes' effective routes) and each with NVA2 over its own
VXLAN (NVA1a: VNI 100, 192.168.0.1/.2; NVA1b: VNI 101, 192.168.0.5/.6). On top of the shipped
configs:
- hub1 NVAs: a `firewall` health check (`command: test -e <run>/<nva>/firewall-up`, 200 ms,
  fall 3, rise 2): the firewall's health, a file the test controls; every peer's exports `track`
  it (withdraw), so a dead firewall stops attracting traffic from the Route Servers and NVA2;
- BFD (100 ms x 3) on the NVA1a <-> NVA2 session only; NVA1b <-> NVA2 keeps hold 9 s, the
  comparison without BFD.
`track` and `bfd` can be switched off (`set_features`, applied by `nvabgpctl reload`, no session
reset) to run the same drills without the feature.
"""
import pathlib

import yaml

from . import topology as T
from .nva_nvabgpd import NvabgpdNva
from .util import Daemon, Ns

CHECK = {"interval": "200ms", "timeout": "200ms", "fall": 3, "rise": 2}
BFD = {"min-tx": 100, "min-rx": 100, "multiplier": 3}


class HaNva(NvabgpdNva):
    """An nvabgpd NVA of the HA lab; `extra` is T.NVA1B for NVA1b, None for NVA1a / NVA2."""

    def __init__(self, run_dir: pathlib.Path, ns: Ns, hub: T.Hub, extra=None):
        super().__init__(run_dir, ns, hub)
        self.extra = extra
        self.name = extra.tag if extra else hub.nva
        if extra:
            self.dir = run_dir / self.kind / extra.tag
            self.daemon = Daemon(run_dir, f"{extra.tag}-{self.kind}")
            self.sock = self.dir / "nvabgpd.sock"
        self.track = True       # exports track the firewall check (hub1 NVAs)
        self.bfd = True         # BFD on the NVA1a <-> NVA2 session

    @property
    def addr(self):
        return self.extra.addr if self.extra else self.hub.nva_addr

    @property
    def health_file(self) -> pathlib.Path:
        return self.dir / "firewall-up"

    def _write(self):
        fresh = not self.dir.exists()
        cfg = super()._write()
        if fresh:
            self.health_file.write_text("")
        data = yaml.safe_load(cfg.read_text())
        peers = {p["name"]: p for p in data["peers"]}
        if self.hub.n == 1:
            data["health-checks"] = {"firewall": {"command": f"test -e {self.health_file}",
                                                  **CHECK}}
            for p in data["peers"]:
                if self.track:
                    p["track"] = ["firewall"]
            if self.extra:
                data["router-id"] = self.extra.addr
                peers["hub2"].update({"address": self.extra.peer_overlay_addr,
                                      "local-address": self.extra.overlay_addr,
                                      "description": "NVA2 in hub2 over vxlan0 (VNI 101)"})
            elif self.bfd:
                peers["hub2"]["bfd"] = dict(BFD)
        else:
            b = T.NVA1B
            hub1b = {**peers["hub1"], "name": b.name, "address": b.overlay_addr,
                     "local-address": b.peer_overlay_addr,
                     "description": f"NVA1b in hub1 over {b.nva2_dev}"}
            data["peers"].append(hub1b)
            if self.bfd:
                peers["hub1"]["bfd"] = dict(BFD)
        cfg.write_text(yaml.safe_dump(data, sort_keys=False))
        return cfg

    # -- the test's levers ----------------------------------------------------------------
    def set_features(self, track=None, bfd=None):
        """Health tracking / BFD on or off, applied live by reload (no session reset)."""
        if track is not None:
            self.track = track
        if bfd is not None:
            self.bfd = bfd
        self.set_fix(self.fixed)    # rewrites the config and reloads it

    def set_firewall(self, healthy: bool):
        """The firewall's health (what the check sees) and its data plane (forwarding in the
        NVA's namespace) together: a dead firewall drops transit traffic; BGP keeps running."""
        if healthy:
            self.health_file.write_text("")
        else:
            self.health_file.unlink(missing_ok=True)
        self.ns.sysctl("net.ipv4.ip_forward", 1 if healthy else 0)

    def health(self):
        return self.request("show health")


def ha_nva(lab, n):
    """The HA lab's NVA n: 1 (NVA1a), 2 or "1b"."""
    if n == "1b":
        return HaNva(lab.run_dir, lab.fabric.ns(T.NVA1B.tag), T.HUB1, T.NVA1B)
    return HaNva(lab.run_dir, lab.fabric.ns(f"nva{n}"), T.HUBS[n - 1])


def rs_paths(lab, rs_name, prefix):
    """Next hops of the Route Server's valid paths for prefix and which are best/multipath."""
    out = {}
    for p in lab.rs[rs_name].rib().get(prefix, []):
        if not p.get("valid"):
            continue
        for nh in p.get("nexthops", []):
            out[nh.get("ip")] = bool(p.get("bestpath") or p.get("multipath"))
    return out


def spoke_next_hops(lab, prefix):
    """The hub1 effective route's next hops (f1's kernel, written by the programmer)."""
    r = lab.kernel_route("f1", prefix)
    if r is None:
        return set()
    return {r["gateway"]} if "gateway" in r else {h["gateway"] for h in r.get("nexthops", [])}


def ha_converged(lab) -> bool:
    """Every HA session up and the spokes load-balance 10.2.0.0/16 over both hub1 NVAs."""
    for n in (1, "1b", 2):
        states = lab.nva(n).sessions()
        if set(states.values()) != {"Established"}:
            return False
    both = {T.HUB1.nva_addr, T.NVA1B.addr}
    return spoke_next_hops(lab, T.HUB2.vnet) == both
