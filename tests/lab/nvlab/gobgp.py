"""gobgpd playing MSEE (ASN 12076) and on-premises (ASN 133937). TOML configs, gRPC API on a
per-instance port on 127.0.0.1 inside the node's namespace. GoBGP does not program the
kernel: the fabric module adds the static routes MSEE and on-premises need for the ping."""
import json
import pathlib

from . import topology as T
from .util import Daemon, Ns, wait_until

API_PORT = {"msee": 50061, "onp": 50062}


def _neighbor(addr, asn, descr):
    return f"""
[[neighbors]]
  [neighbors.config]
    neighbor-address = "{addr}"
    peer-as = {asn}
    description = "{descr}"
  [neighbors.timers.config]
    connect-retry = 2
    hold-time = {T.HOLD}
    keepalive-interval = {T.KEEPALIVE}
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
"""


def msee_config() -> str:
    return (f'[global.config]\n  as = {T.MSEE_ASN}\n  router-id = "{T.MSEE_ADDR}"\n'
            + _neighbor(T.ERGW_ADDR, T.RS_ASN, "ExpressRoute-gateway")
            + _neighbor(T.addr(T.ONPREM_TRANSIT), T.ONPREM_ASN, "on-premises"))


def onprem_config() -> str:
    return (f'[global.config]\n  as = {T.ONPREM_ASN}\n  router-id = "{T.addr(T.ONPREM_TRANSIT)}"\n'
            + _neighbor(T.addr(T.MSEE_TRANSIT), T.MSEE_ASN, "MSEE"))


class GoBgp:
    def __init__(self, run_dir: pathlib.Path, ns: Ns, name: str, config: str):
        self.ns, self.name, self.config = ns, name, config
        self.dir = run_dir / "gobgp" / name
        self.port = API_PORT[name]
        self.daemon = Daemon(run_dir, f"{name}-gobgpd")

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "gobgpd.toml"
        conf.write_text(self.config)
        self.daemon.start(self.ns, ["gobgpd", "-f", conf, "-t", "toml", "-p", "-l", "info",
                                    "--api-hosts", f"127.0.0.1:{self.port}", "--pprof-disable"])
        wait_until(lambda: self.ns.run(*self.cli("global"), check=False).returncode == 0, 15,
                   what=f"{self.name} gRPC API")

    def stop(self):
        self.daemon.stop()

    def cli(self, *args):
        return ["gobgp", "-u", "127.0.0.1", "-p", str(self.port), *args]

    def gobgp(self, *args) -> str:
        return self.ns.out(*self.cli(*args))

    def originate(self, prefix, origin="incomplete"):
        self.gobgp("global", "rib", "add", prefix, "origin", origin)

    def rib(self):
        """{prefix: [{'as_path': [..], 'origin': str, 'next_hop': str, 'best': bool}]}"""
        out = self.gobgp("global", "rib", "-j")
        data = json.loads(out) if out.strip() else {}
        result = {}
        for prefix, paths in data.items():
            for p in paths:
                entry = {"as_path": [], "origin": "?", "next_hop": None,
                         "best": bool(p.get("best")), "communities": []}
                for a in p.get("attrs", []):
                    if a.get("type") == 1:
                        entry["origin"] = {0: "i", 1: "e", 2: "?"}.get(a.get("value"), "?")
                    elif a.get("type") == 2:
                        for seg in a.get("as_paths", []):
                            entry["as_path"] += seg.get("asns", [])
                    elif a.get("type") == 3:
                        entry["next_hop"] = a.get("nexthop")
                    elif a.get("type") == 8:
                        entry["communities"] = a.get("communities", [])
                result.setdefault(prefix, []).append(entry)
        return result

    def sessions(self):
        """{peer address: BGP state}"""
        out = self.gobgp("neighbor", "-j")
        names = {1: "Idle", 2: "Connect", 3: "Active", 4: "OpenSent", 5: "OpenConfirm",
                 6: "Established"}
        return {n["state"]["neighbor_address"]: names.get(n["state"].get("session_state"), "?")
                for n in (json.loads(out) if out.strip() else [])}
