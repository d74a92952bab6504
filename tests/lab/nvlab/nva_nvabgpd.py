"""nvabgpd as the NVA, on the shipped configs (config/examples/nvaN.yaml with the shipped
policy/filters/nvaN_to_rs.conf).

The daemon runs in the foreground inside the NVA namespace with a per-lab control socket
(`--control-socket`); the lab shows its tables with `nvabgpctl -s SOCKET show route [all]` and
reads routes for the assertions as JSON from the same socket (`show route`). The only
edits to the shipped config (a copy in the run dir): the filter file reference (nvaN_to_rs.conf)
points at this checkout's policy/filters/ copy, and control.socket at the lab's socket.
Unlike the BIRD mode, nothing is added to the kernel: nvabgpd must resolve next hops through
non-BGP routes only and must not let the overlay-learned prefixes capture the VXLAN underlay.
"""
import json
import os
import pathlib
import re
import socket

from . import topology as T
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


def lab_config(hub: T.Hub, filter_path: pathlib.Path, sock_path: pathlib.Path) -> str:
    """The shipped example with its TO_RS file reference pointed at filter_path and its
    control socket (also given as --control-socket) in the lab's run directory."""
    text = (SOURCE_DIR / f"config/examples/nva{hub.n}.yaml").read_text()
    text = _FILTER_REF.sub(lambda m: str(filter_path), text)
    return _SOCKET.sub(lambda m: m.group(1) + str(sock_path), text)


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
        """Rewrites the config with the other TO_RS file and reloads it live (`nvabgpctl
        reload`: the export filter changes, no session is reset)."""
        self.fixed = fixed
        self._write()
        out = self.ctl("reload")
        if "rejected" in out.lower():
            raise RuntimeError(f"nvabgpd on {self.hub.nva}: reload rejected:\n{out}")

    def ctl(self, *args) -> str:
        return sh(self.nvabgpctl, "-s", self.sock, *args).stdout

    def show(self, *args) -> str:
        """`show route ARGS` through nvabgpctl."""
        return self.ctl("show", "route", *args)

    def request(self, command, **args):
        """One request on the control socket (newline-delimited JSON, see
        daemon/nvabgpd/control_server.hpp); returns the result or raises."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.settimeout(10)
            c.connect(str(self.sock))
            c.sendall((json.dumps({"command": command, "args": args}) + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = c.recv(65536)
                if not chunk:
                    break
                buf += chunk
        reply = json.loads(buf)
        if not reply.get("ok"):
            raise RuntimeError(f"nvabgpd {command}: {reply.get('error')}")
        return reply["result"]

    def routes(self):
        """The RIB through `show route` on the control socket (the schema nvabgpctl renders)."""
        return routes_from_json(self.request("show route"))

    def sessions(self):
        return {p["name"]: p["state"] for p in self.request("show protocols")}

    def hold_time(self, peer: str) -> int:
        """The negotiated hold time of an established session, in seconds."""
        (p,) = self.request("show protocols", peer=peer)
        return int(p["session"]["hold_time"])



def routes_from_json(result):
    """{"routes": [{"prefix", "paths": [{"peer", "best", "from", "via": {"gateway"},
    "attributes": {"as_path_segments", "next_hop", "communities", "origin"}}]}]} -> the
    same shape as nva_bird.parse_show_route_all."""
    out = {}
    for r in result.get("routes", []):
        for p in r.get("paths", []):
            a = p.get("attributes", {})
            via = p.get("via") or {}
            out.setdefault(r["prefix"], []).append({
                "proto": p.get("peer"), "best": bool(p.get("best")),
                "gateways": [via["gateway"]] if via.get("gateway") else [],
                "as_path": [asn for seg in a.get("as_path_segments", []) for asn in seg["asns"]],
                "next_hop": a.get("next_hop"), "communities": a.get("communities", []),
                "origin": a.get("origin"), "kind": "unicast"})
    return out
