"""nvabgpd as the NVA, on the shipped configs (config/examples/nvaN.yaml with the shipped
policy/filters/nvaN_to_rs.conf).

The daemon runs in the foreground inside the NVA namespace with a per-lab control socket
(`--control-socket`); the lab queries it with `nvabgpctl -s SOCKET show route all`. The only
edits to the shipped config (a copy in the run dir): the filter file reference (nvaN_to_rs.conf)
points at this checkout's policy/filters/ copy, and control.socket at the lab's socket.
Unlike the BIRD mode, nothing is added to the kernel: nvabgpd must resolve next hops through
non-BGP routes only and must not let the overlay-learned prefixes capture the VXLAN underlay.
"""
import json
import os
import pathlib
import re

from . import topology as T
from .nva_bird import parse_show_route_all
from .nva_base import NvaBase
from .util import Ns, SOURCE_DIR, sh, wait_until


class NvabgpdMissing(RuntimeError):
    pass


def build_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("NVABGPD_BUILD_DIR", SOURCE_DIR / "build"))


def find_binary(name: str):
    b = build_dir()
    for cand in (b / "daemon" / name, b / "daemon" / "ctl" / name, b / name):
        if cand.is_file() and os.access(cand, os.X_OK):
            return cand
    if b.is_dir():
        for cand in (b / "daemon").rglob(name) if (b / "daemon").is_dir() else ():
            if cand.is_file() and os.access(cand, os.X_OK):
                return cand
    return None


def missing_reason():
    """None when the lab can run nvabgpd; otherwise a sentence saying what is absent."""
    absent = [n for n in ("nvabgpd", "nvabgpctl") if find_binary(n) is None]
    if absent:
        return (f"{' and '.join(absent)} not built under {build_dir()} "
                f"(build it, or set NVABGPD_BUILD_DIR; `--nva bird` runs the reference NVA)")
    cfgs = [SOURCE_DIR / f"config/examples/nva{n}.yaml" for n in (1, 2)]
    cfg_absent = [str(c) for c in cfgs if not c.exists()]
    if cfg_absent:
        return f"shipped configs missing: {', '.join(cfg_absent)}"
    return None


_FILTER_REF = re.compile(r"""[^\s"':]*nva([12])_to_rs\.conf""")


_SOCKET = re.compile(r"^(\s+socket:\s*)\S+", re.MULTILINE)


def lab_config(hub: T.Hub, filter_path: pathlib.Path, socket: pathlib.Path) -> str:
    """The shipped example with its TO_RS file reference pointed at filter_path and its
    control socket (also given as --control-socket) in the lab's run directory."""
    text = (SOURCE_DIR / f"config/examples/nva{hub.n}.yaml").read_text()
    text = _FILTER_REF.sub(lambda m: str(filter_path), text)
    return _SOCKET.sub(lambda m: m.group(1) + str(socket), text)


class NvabgpdNva(NvaBase):
    kind = "nvabgpd"

    def __init__(self, run_dir: pathlib.Path, ns: Ns, hub: T.Hub):
        reason = missing_reason()
        if reason:
            raise NvabgpdMissing(reason)
        super().__init__(run_dir, ns, hub)
        self.sock = self.dir / "nvabgpd.sock"
        self.nvabgpd, self.nvabgpctl = find_binary("nvabgpd"), find_binary("nvabgpctl")

    def describe(self):
        return f"nvabgpd (control socket {self.sock})"

    def _write(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        cfg = self.dir / f"nva{self.hub.n}.yaml"
        shipped = SOURCE_DIR / f"policy/filters/nva{self.hub.n}_to_rs.conf"
        cfg.write_text(lab_config(self.hub, self.to_rs_filter(shipped), self.sock))
        return cfg

    def start(self):
        cfg = self._write()
        self.daemon.start(self.ns, [self.nvabgpd, "--config", cfg, "--foreground",
                                    "--control-socket", self.sock])
        wait_until(lambda: self.sock.exists() or not self.daemon.alive(), 15,
                   what=f"{self.hub.nva} control socket")
        if not self.daemon.alive():
            raise RuntimeError(f"nvabgpd on {self.hub.nva} exited:\n{self.daemon.log_tail()}")

    def set_fix(self, fixed: bool):
        """Rewrites the config with the other TO_RS file and restarts the daemon on it (a
        restart, not a reload, so the lab does not depend on reload support)."""
        self.fixed = fixed
        self.stop()
        self.start()

    def ctl(self, *args) -> str:
        return sh(self.nvabgpctl, "-s", self.sock, *args).stdout

    def show(self, *args) -> str:
        """`show route ARGS` through nvabgpctl."""
        return self.ctl("show", "route", *args)

    def routes(self):
        """Accepts JSON or BIRD-style text from `nvabgpctl show route all`."""
        out = self.show("all")
        if out.lstrip().startswith(("{", "[")):
            return _from_json(json.loads(out))
        return parse_show_route_all(out)

    def established(self) -> bool:
        return True   # the lab waits on observable routes at the peers instead


def _from_json(data):
    rows = data.get("routes", data) if isinstance(data, dict) else data
    out = {}
    for r in rows if isinstance(rows, list) else []:
        out.setdefault(r.get("prefix"), []).append({
            "proto": r.get("peer") or r.get("from") or r.get("protocol"),
            "best": bool(r.get("best")), "gateways": r.get("gateways", []),
            "as_path": [int(a) for a in r.get("as_path", [])], "next_hop": r.get("next_hop"),
            "communities": r.get("communities", []), "origin": r.get("origin")})
    return out
