"""nvabgpd run by a test inside its own namespace, and nvabgpctl talking to it.

    d = Nvabgpd(ns, workdir, config_dict)   # the dict is written as YAML (JSON flow style)
    d.start(); wait_until(lambda: d.state("gobgp") == "Established")
    d.ctl_json("show", "route", "10.9.0.0/24")
"""
from __future__ import annotations

import json
import pathlib
import signal
import socket
import subprocess

from nvbtest import Netns, Process, binary, veth_pair
from nvbtest.peers import Bird


class Nvabgpd:
    def __init__(self, ns: Netns, workdir, config: dict, filters: dict | None = None):
        self.ns = ns
        self.dir = pathlib.Path(workdir) / f"nvabgpd-{ns.name}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.config_path = self.dir / "nvabgpd.yaml"
        self.sock = str(self.dir / "ctl.sock")
        self.log_path = self.dir / "nvabgpd.log"
        self.proc: Process | None = None
        self.write_config(config, filters)

    def write_config(self, config: dict, filters: dict | None = None):
        """Writes the YAML config (and filter files by name, listed in `filters:`)."""
        config = dict(config)
        config.setdefault("kernel", {"enabled": False})
        for name, text in (filters or {}).items():
            (self.dir / name).write_text(text)
        if filters:
            config["filters"] = sorted(filters)
        self.config = config
        self.config_path.write_text(json.dumps(config, indent=1) + "\n")

    def start(self, kernel=False, env=None, args=()) -> "Nvabgpd":
        """kernel=True lets the config's `kernel` section program the namespace's FIB; env
        replaces the environment (e.g. NOTIFY_SOCKET for the systemd notify protocol); args are
        added to the command line."""
        self.proc = self.ns.popen([binary("nvabgpd"), "--config", str(self.config_path),
                                   "--control-socket", self.sock,
                                   *([] if kernel else ["--no-kernel"]),
                                   "--log-level", "debug", *args],
                                  log_path=str(self.log_path), env=env)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.alive()

    def stop(self):
        if self.proc:
            self.proc.stop()

    def hup(self):
        self.proc.signal(signal.SIGHUP)

    def log(self) -> str:
        return self.proc.log() if self.proc else ""

    def ctl(self, *args, check=True) -> subprocess.CompletedProcess:
        return subprocess.run([binary("nvabgpctl"), "-s", self.sock, *args], text=True,
                              capture_output=True, check=check, timeout=20)

    def ctl_json(self, *args):
        return json.loads(self.ctl("--json", *args).stdout)

    def request(self, obj_or_line) -> dict:
        """One raw request on the control socket; returns the decoded answer line."""
        line = obj_or_line if isinstance(obj_or_line, (bytes, str)) else json.dumps(obj_or_line)
        if isinstance(line, str):
            line = line.encode()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(self.sock)
            s.sendall(line.rstrip(b"\n") + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        return json.loads(buf)

    def protocols(self) -> dict:
        return {p["name"]: p for p in self.ctl_json("show", "protocols")}

    def state(self, peer: str) -> str:
        try:
            return self.protocols()[peer]["state"]
        except (subprocess.CalledProcessError, KeyError, json.JSONDecodeError):
            return "unknown"

    def routes(self, *args) -> dict:
        """{prefix: [paths]} from `show route ... --json`."""
        res = self.ctl_json("show", "route", *args)
        return {r["prefix"]: r["paths"] for r in res.get("routes", [])}

    def ready(self) -> bool:
        try:
            self.ctl_json("show", "protocols")
            return True
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            return False


def gobgp_routes(peer, *args, family="ipv4") -> dict:
    """{prefix: first path} of `gobgp global rib` (or `neighbor X adj-in`) as JSON."""
    out = peer.cli(*(args or ("global", "rib")), "-a", family, "-j")
    data = json.loads(out) if out.strip() else {}
    return {p: paths[0] for p, paths in data.items()} if isinstance(data, dict) else {}


def gobgp_attrs(path: dict) -> dict:
    """GoBGP path attributes keyed by their type code."""
    return {a["type"]: a for a in path.get("attrs", [])}


def gobgp_add(peer, prefix, *extra, family="ipv4"):
    peer.cli("global", "rib", "add", prefix, *extra, "-a", family)


def link(lab, d_ns, tag, d_addr, p_addr):
    """A new namespace for one peer, wired to the daemon's namespace; returns it."""
    ns = lab.ns(tag)
    veth_pair(d_ns, d_addr, ns, p_addr)
    return ns


def peer(name, address, asn, **kw):
    """One nvabgpd peer entry with test-friendly timers and import/export all."""
    p = {"name": name, "address": address, "asn": asn, "hold-time": 9, "connect-retry": 1,
         "import": "all", "export": "all"}
    p.update(kw)
    return p


class BirdSpeaker(Bird):
    """BIRD that also originates static routes and exports everything to its neighbours."""

    def __init__(self, *a, static=(), **kw):
        super().__init__(*a, **kw)
        self.static = list(static)

    def config(self) -> str:
        text = super().config().replace("export none;", "export all;")
        for fam in ("ipv4", "ipv6"):
            routes = [s for s in self.static if (":" in s[0]) == (fam == "ipv6")]
            if routes:
                text += f"protocol static {{ {fam};\n"
                text += "".join(f"  route {p} {how};\n" for p, how in routes) + "}\n"
        return text

    def route_all(self, prefix) -> str:
        return self.birdc("show", "route", "all", prefix)


def gr_bird_and_gobgp(lab, d_ns, tmp_path, **extra_config):
    """nvabgpd (AS 65001) with a graceful restart BIRD peer "bird" (AS 65003, restart time 60,
    routes 10.60.0.0/24 and 10.61.0.0/24) and a GoBGP peer "gobgp" (AS 65002), each on its own
    link; waits until BIRD's routes reach GoBGP. Returns (nvabgpd, bird, gobgp)."""
    from nvbtest import wait_until
    from nvbtest.peers import GoBgp, Neighbor
    b_ns = link(lab, d_ns, "b", "10.0.1.1/24", "10.0.1.2/24")
    g_ns = link(lab, d_ns, "g", "10.0.2.1/24", "10.0.2.2/24")
    d = Nvabgpd(d_ns, tmp_path, {"router-id": "10.0.0.1", "asn": 65001, "peers": [
        peer("bird", "10.0.1.2", 65003, **{"graceful-restart": {"enabled": True,
                                                                "restart-time": 60}}),
        peer("gobgp", "10.0.2.2", 65002)], **extra_config}).start()
    b = BirdSpeaker(b_ns, tmp_path, 65003, "10.0.1.2", [Neighbor("10.0.1.1", 65001)],
                    static=[("10.60.0.0/24", "unreachable"), ("10.61.0.0/24", "unreachable")])
    b.extra["10.0.1.1"] = ["graceful restart on;", "graceful restart time 60;"]
    b.start()
    g = GoBgp(g_ns, tmp_path, 65002, "10.0.2.2", [Neighbor("10.0.2.1", 65001)]).start()
    wait_until(lambda: {"10.60.0.0/24", "10.61.0.0/24"} <= gobgp_routes(g).keys(), 40,
               what="BIRD's routes at gobgp")
    return d, b, g
