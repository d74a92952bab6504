"""FRR bgpd (+ zebra for next-hop tracking) playing the Route Server instances and the
ExpressRoute gateway. Daemons run directly (not the system service), one config/vty/pid/zserv
set per instance under the lab's run directory.

Route Server (ARS-like): ASN 65515, originates the hub's VNet prefixes, eBGP multihop to the
NVA, iBGP to the ExpressRoute gateway (a route-reflector client), does not pass the 169.254
transit /30s to the NVA, tags ExpressRoute routes 65517:65517, and does not send a route back
to the NVA it came from (an outbound AS-path match). Like ARS it honours NO_ADVERTISE (FRR does; GoBGP 3.10 does not).
Route Servers do not program their own kernel (bgpd -n); the VNet's effective routes are
emulated by the programmer (see programmer.py).
"""
import json
import pathlib
import shutil

from . import topology as T
from .util import Daemon, Ns, sh, wait_until

FRR = pathlib.Path("/usr/lib/frr")


def _timers(nb):
    return [f" neighbor {nb} timers {T.KEEPALIVE} {T.HOLD}", f" neighbor {nb} timers connect 2"]


def rs_config(hub: T.Hub, rs_addr: str, name: str, extra_nvas=()) -> str:
    """extra_nvas: more NVA addresses of the hub (same ASN, same policy as the NVA; the HA
    option's NVA1b); then the instance load-balances over them (ECMP, like ARS)."""
    nva = hub.nva_addr
    lines = [
        "frr defaults traditional", f"hostname {name}", "!",
        "ip prefix-list TRANSIT seq 5 permit 169.254.0.0/16 le 32", "!",
        f"bgp as-path access-list FROM_NVA seq 5 permit _{hub.nva_asn}_", "!",
        # ARS never sends a route back to the NVA it came from
        "route-map TO_NVA deny 5", " match as-path FROM_NVA", "exit",
        "route-map TO_NVA deny 10", " match ip address prefix-list TRANSIT", "exit",
        "route-map TO_NVA permit 20", "exit", "!",
        "bgp as-path access-list FROM_MSEE seq 5 permit _12076_", "!",
        "route-map FROM_ERGW permit 10", " match as-path FROM_MSEE",
        f" set community {T.ARS_COMMUNITY} additive", "exit",
        "route-map FROM_ERGW permit 20", "exit", "!",
        f"router bgp {T.RS_ASN}", f" bgp router-id {rs_addr}",
        " no bgp ebgp-requires-policy", " no bgp network import-check",
        " no bgp default ipv4-unicast",
        f" neighbor {nva} remote-as {hub.nva_asn}", f" neighbor {nva} description NVA",
        f" neighbor {nva} ebgp-multihop 255", f" neighbor {nva} update-source {rs_addr}",
        *_timers(nva),
    ]
    for x in extra_nvas:
        lines += [f" neighbor {x} remote-as {hub.nva_asn}", f" neighbor {x} description NVA",
                  f" neighbor {x} ebgp-multihop 255", f" neighbor {x} update-source {rs_addr}",
                  *_timers(x)]
    if hub.has_er:
        lines += [f" neighbor {T.ERGW_ADDR} remote-as {T.RS_ASN}",
                  f" neighbor {T.ERGW_ADDR} description ExpressRoute-gateway",
                  f" neighbor {T.ERGW_ADDR} update-source {rs_addr}", *_timers(T.ERGW_ADDR)]
    lines += [" address-family ipv4 unicast"]
    lines += [f"  network {p}" for p in hub.vnet_prefixes]
    lines += [f"  neighbor {nva} activate", f"  neighbor {nva} soft-reconfiguration inbound",
              f"  neighbor {nva} route-map TO_NVA out"]
    for x in extra_nvas:
        lines += [f"  neighbor {x} activate", f"  neighbor {x} soft-reconfiguration inbound",
                  f"  neighbor {x} route-map TO_NVA out"]
    if extra_nvas:
        lines += ["  maximum-paths 8"]
    if hub.has_er:
        lines += [f"  neighbor {T.ERGW_ADDR} activate",
                  f"  neighbor {T.ERGW_ADDR} route-reflector-client",
                  f"  neighbor {T.ERGW_ADDR} soft-reconfiguration inbound",
                  f"  neighbor {T.ERGW_ADDR} route-map FROM_ERGW in"]
    lines += [" exit-address-family", "exit", "!"]
    return "\n".join(lines) + "\n"


def ergw_config() -> str:
    hub = T.HUB1
    lines = ["frr defaults traditional", "hostname ergw", "!", f"router bgp {T.RS_ASN}",
             f" bgp router-id {T.ERGW_ADDR}", " no bgp ebgp-requires-policy",
             " no bgp network import-check", " no bgp default ipv4-unicast"]
    for rs in hub.rs_addrs:
        lines += [f" neighbor {rs} remote-as {T.RS_ASN}", f" neighbor {rs} description RouteServer",
                  f" neighbor {rs} update-source {T.ERGW_ADDR}", *_timers(rs)]
    lines += [f" neighbor {T.MSEE_ADDR} remote-as {T.MSEE_ASN}",
              f" neighbor {T.MSEE_ADDR} description MSEE", *_timers(T.MSEE_ADDR),
              " address-family ipv4 unicast", "  maximum-paths ibgp 2"]
    lines += [f"  network {p}" for p in hub.vnet_prefixes]
    for rs in hub.rs_addrs:
        lines += [f"  neighbor {rs} activate", f"  neighbor {rs} next-hop-self",
                  f"  neighbor {rs} soft-reconfiguration inbound"]
    lines += [f"  neighbor {T.MSEE_ADDR} activate",
              f"  neighbor {T.MSEE_ADDR} soft-reconfiguration inbound",
              " exit-address-family", "exit", "!"]
    return "\n".join(lines) + "\n"


class FrrInstance:
    """zebra + bgpd for one lab node; `install` decides whether bgpd programs the kernel."""

    def __init__(self, run_dir: pathlib.Path, ns: Ns, name: str, bgpd_conf: str, install: bool):
        self.ns, self.name, self.install = ns, name, install
        self.dir = run_dir / "frr" / name
        self.bgpd_conf = bgpd_conf
        self.zebra = Daemon(run_dir, f"{name}-zebra")
        self.bgpd = Daemon(run_dir, f"{name}-bgpd")

    def _common(self, daemon):
        return ["-P", "0", "--vty_socket", self.dir,
                "-z", self.dir / "zserv.api", "-i", self.dir / f"{daemon}.pid",
                "-f", self.dir / f"{daemon}.conf", "--log", f"file:{self.dir}/{daemon}.log"]

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "zebra.conf").write_text(
            f"hostname {self.name}\nip nht resolve-via-default\n!\n")
        (self.dir / "bgpd.conf").write_text(self.bgpd_conf)
        # FRR drops privileges to its own user (which is in the vty group): let it in.
        shutil.chown(self.dir, "frr", "frr")
        for f in self.dir.iterdir():
            shutil.chown(f, "frr", "frr")
        if not self.zebra.alive():
            (self.dir / "zserv.api").unlink(missing_ok=True)
            self.zebra.start(self.ns, [FRR / "zebra", *self._common("zebra")])
        self.wait_vty("zebra")
        bgp_args = [] if self.install else ["-n"]
        self.bgpd.start(self.ns, [FRR / "bgpd", *self._common("bgpd"), *bgp_args])
        self.wait_vty("bgpd")

    def wait_vty(self, daemon):
        wait_until(lambda: (self.dir / f"{daemon}.vty").exists(), 15,
                   what=f"{self.name} {daemon} vty socket")

    def stop(self):
        self.bgpd.stop()
        self.zebra.stop()

    def vtysh(self, *cmds, check=True) -> str:
        args = ["vtysh", "--vty_socket", self.dir]
        for c in cmds:
            args += ["-c", c]
        return sh(*args, check=check).stdout

    def json(self, cmd):
        out = self.vtysh(cmd)
        return json.loads(out) if out.strip() else {}

    # -- views the lab and its test use ------------------------------------------------------
    def rib(self):
        """{prefix: [path dicts]} of the BGP table (FRR JSON)."""
        return self.json("show bgp ipv4 unicast json").get("routes", {})

    def neighbor_routes(self, peer, kind):
        """kind: routes (accepted), received-routes (pre-policy), advertised-routes."""
        data = self.json(f"show bgp ipv4 unicast neighbors {peer} {kind} json")
        key = "advertisedRoutes" if kind == "advertised-routes" else (
            "receivedRoutes" if kind == "received-routes" else "routes")
        return data.get(key, {})

    def sessions(self):
        """{peer address: BGP state}"""
        peers = self.json("show bgp ipv4 unicast summary json").get("peers", {})
        return {addr: p.get("state") for addr, p in peers.items()}
