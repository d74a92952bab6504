"""The whole lab: build, start, wait for convergence, stop. Used by the CLI and the e2e test."""
import json
import os
import shutil

from . import topology as T
from .fabric import Fabric
from .frr import FrrInstance, ergw_config, rs_config
from .gobgp import GoBgp, msee_config, onprem_config
from .nva_bird import BirdNva
from .nva_nvabgpd import NvabgpdNva
from .util import RUN_ROOT, SOURCE_DIR, Daemon, valid_prefix, wait_until

NVA_KINDS = {"bird": BirdNva, "nvabgpd": NvabgpdNva}


class SeedLab:
    def __init__(self, prefix="nvlab", nva="bird", run_root=RUN_ROOT, log=print, ha=False):
        if not valid_prefix(prefix):
            raise ValueError(f"bad lab prefix {prefix!r}: [a-z][a-z0-9]{{0,10}}")
        self.prefix, self.kind, self.log = prefix, nva, log
        # ha: NVA1b beside NVA1 in hub1 (nvabgpd only; see ha.py)
        self.ha = ha
        if ha and nva != "nvabgpd":
            raise ValueError("the HA option runs nvabgpd NVAs only")
        self.run_dir = run_root / prefix
        self.fabric = Fabric(prefix, ha)
        ns = self.fabric.ns
        self.rs = {}
        for hub in T.HUBS:
            for name, a in zip(hub.rs_names, hub.rs_addrs):
                self.rs[name] = FrrInstance(self.run_dir, ns(name), name,
                                            rs_config(hub, a, name, extra_nvas=(
                                                T.NVA1B.addr,) if ha and hub.n == 1 else ()),
                                            install=False)
        self.ergw = FrrInstance(self.run_dir, ns("ergw"), "ergw", ergw_config(), install=True)
        self.msee = GoBgp(self.run_dir, ns("msee"), "msee", msee_config())
        self.onprem = GoBgp(self.run_dir, ns("onp"), "onp", onprem_config())
        self.nvas = {}
        self.programmers = {hub.n: Daemon(self.run_dir, f"{hub.fabric}-programmer")
                            for hub in T.HUBS}

    # -- state ------------------------------------------------------------------------------
    @property
    def state_file(self):
        return self.run_dir / "state.json"

    def state(self):
        try:
            return json.loads(self.state_file.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def nva(self, n):
        if n not in self.nvas and self.ha:
            from .ha import ha_nva
            self.nvas[n] = ha_nva(self, n)
        if n not in self.nvas:
            self.nvas[n] = NVA_KINDS[self.kind](self.run_dir, self.fabric.ns(f"nva{n}"),
                                               T.HUBS[n - 1])
        return self.nvas[n]

    def frr_all(self):
        return [*self.rs.values(), self.ergw]

    # -- lifecycle --------------------------------------------------------------------------
    def up(self, nva2_fixed=True, wait=True, timeout=120, nva1_fixed=True):
        if shutil.which("bird") is None or shutil.which("gobgpd") is None \
                or not os.path.exists("/usr/lib/frr/bgpd"):
            raise RuntimeError("bird2, gobgpd and frr are needed: run scripts/install-deps.sh")
        old = self.state().get("nva")
        if old and old != self.kind:
            self.log(f"switching NVAs from {old} to {self.kind}")
            for hub in T.HUBS:
                Daemon(self.run_dir, f"{hub.nva}-{old}").stop()
        nvas = [self.nva(hub.n) for hub in T.HUBS]   # raises NvabgpdMissing early
        self.run_dir.mkdir(parents=True, exist_ok=True)
        wanted = {1: nva1_fixed, 2: nva2_fixed}
        running = {n: self.state().get(f"nva{n}_fixed", True) if old == self.kind else True
                   for n in (1, 2)}
        self._save_state(nva1_fixed, nva2_fixed)
        if self.fabric.create(self.log):
            self.log(f"created {len(T.nodes())} namespaces {self.prefix}*")
        for inst in self.frr_all():
            inst.start()
        for g in (self.msee, self.onprem):
            g.start()
        for p in (T.ONPREM_PREFIX, *T.TRANSIT_PREFIXES, *T.ONPREM_LONG_PREFIXES):
            self.onprem.originate(p)    # origin incomplete, as in the seed
        env = dict(os.environ, PYTHONPATH=str(SOURCE_DIR / "tests" / "lab"))
        for hub in T.HUBS:
            self.programmers[hub.n].start(
                self.fabric.ns(hub.fabric),
                ["/usr/bin/python3", "-m", "nvlab.programmer", "--run-dir", self.run_dir,
                 "--hub", str(hub.n)], env=env)
        for n, nva in zip((1, 2), nvas):
            nva.fixed = running[n] if nva.alive() else wanted[n]
            if not nva.alive():
                nva.start()
            if nva.fixed != wanted[n]:       # `up` again with(out) --no-fix: switch live
                nva.set_fix(wanted[n])
        if self.ha and not self.nva("1b").alive():
            self.nva("1b").start()
        if wait:
            self.wait_converged(nva2_fixed, timeout, nva1_fixed)

    def _save_state(self, nva1_fixed, nva2_fixed):
        self.state_file.write_text(json.dumps({"prefix": self.prefix, "nva": self.kind,
                                               "nva1_fixed": nva1_fixed,
                                               "nva2_fixed": nva2_fixed, "ha": self.ha}))

    def set_nva2_fix(self, fixed: bool):
        """NVA2's TO_RS with (the seed's final state) or without the 65515 deletion."""
        self.nva(2).set_fix(fixed)
        self._save_state(self.state().get("nva1_fixed", True), fixed)

    def set_nva1_fix(self, fixed: bool):
        """NVA1's TO_RS with (the seed's final state) or without NO_ADVERTISE on 10.1.0.0/16."""
        self.nva(1).set_fix(fixed)
        self._save_state(fixed, self.state().get("nva2_fixed", True))

    def down(self):
        """Stops every daemon recorded in the run dir (by PID) and deletes the namespaces."""
        stopped = []
        pids = self.run_dir / "pids"
        if pids.is_dir():
            for f in sorted(pids.glob("*.json")):
                d = Daemon(self.run_dir, f.stem)
                if d.alive():
                    stopped.append(f.stem)
                d.stop()
        gone = self.fabric.delete()
        if self.run_dir.exists():
            shutil.rmtree(self.run_dir)
        return stopped, gone

    # -- observations -------------------------------------------------------------------------
    def rs_learned(self, rs_name):
        hub = T.HUBS[int(rs_name[2]) - 1]
        return self.rs[rs_name].neighbor_routes(hub.nva_addr, "routes")

    def rs_received(self, rs_name):
        hub = T.HUBS[int(rs_name[2]) - 1]
        return self.rs[rs_name].neighbor_routes(hub.nva_addr, "received-routes")

    def rs_advertised(self, rs_name):
        hub = T.HUBS[int(rs_name[2]) - 1]
        return self.rs[rs_name].neighbor_routes(hub.nva_addr, "advertised-routes")

    def kernel_routes(self, tag):
        return self.fabric.ns(tag).ip_json("route", "show")

    def kernel_route(self, tag, prefix):
        for r in self.kernel_routes(tag):
            dst = r["dst"] if r["dst"] == "default" or "/" in r["dst"] else r["dst"] + "/32"
            if dst == prefix:
                return r
        return None

    def converged(self, nva2_fixed=True, nva1_fixed=True):
        h1, h2 = T.HUB1, T.HUB2
        for name in h1.rs_names:
            learned = self.rs_learned(name)
            if h1.vnet not in learned or h2.vnet not in learned:
                return False
            if T.ONPREM_PREFIX not in self.rs[name].rib():
                return False
        for name in h2.rs_names:
            learned = self.rs_learned(name)
            if h2.vnet not in learned or h1.vnet not in learned:
                return False
            if (T.ONPREM_PREFIX in learned) != nva2_fixed:
                return False
        if h2.vnet not in self.onprem.rib():
            return False
        # NVA1's NO_ADVERTISE keeps its summary away from the ExpressRoute gateway
        if (h1.vnet in self.ergw.rib()) == nva1_fixed:
            return False
        # the VNet programming has caught up with the Route Servers
        if self.kernel_route("f1", h2.vnet) is None or self.kernel_route("f2", h1.vnet) is None:
            return False
        if self.ha:
            from .ha import ha_converged
            if not ha_converged(self):
                return False
        return (self.kernel_route("f2", T.ONPREM_PREFIX) is not None) == nva2_fixed

    def wait_converged(self, nva2_fixed=True, timeout=120, nva1_fixed=True):
        try:
            wait_until(lambda: self.converged(nva2_fixed, nva1_fixed), timeout, interval=0.5,
                       what="the lab to converge")
        except TimeoutError:
            self.log(self.diagnose())
            raise

    def diagnose(self) -> str:
        lines = ["--- lab diagnostics ---"]
        for inst in self.frr_all():
            lines.append(inst.vtysh("show bgp ipv4 unicast summary", check=False))
        for n in (1, 2, *(("1b",) if self.ha else ())):
            nva = self.nva(n)
            lines.append(f"{getattr(nva, 'name', nva.hub.nva)}: alive={nva.alive()}")
            try:
                lines.append(nva.show())
            except Exception as e:  # noqa: BLE001 - diagnostics only
                lines.append(f"  ({e})")
            lines.append(nva.daemon.log_tail(15))
        return "\n".join(lines)
