"""BFD-speaking peers for the interop tests: FRR's bfdd (standalone, static peers) and BIRD 2
with `protocol bfd` and `bfd on` in its BGP protocol."""
from __future__ import annotations

import atexit
import datetime
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

from nvbtest.peers import Bird, Frr, _Daemon


class FrrBfdd(_Daemon):
    """FRR bfdd with configured (static) peers; vtysh on a per-test socket directory. It runs
    without zebra: single-hop peers by address need no interface data. bfdd drops to user
    frr before it opens its sockets and pid file, so those live in a directory of their own
    that frr can reach (pytest's work directory is root-only); it is removed on stop()."""

    name = "bfdd"

    def __init__(self, ns, workdir, peers, interval_ms=100, multiplier=3):
        super().__init__(ns, workdir, 0, "", [])
        self.peers = list(peers)  # (peer address, local address)
        self.interval_ms = interval_ms
        self.multiplier = multiplier
        self.run = pathlib.Path(tempfile.mkdtemp(prefix="nvbt-bfdd-"))
        os.chmod(self.run, 0o777)
        # Lab cleanup stops the processes, not this object: remove the directory at exit too.
        atexit.register(shutil.rmtree, self.run, True)
        self.config_path = self.run / "bfdd.conf"

    def stop(self):
        super().stop()
        shutil.rmtree(self.run, ignore_errors=True)

    def config(self) -> str:
        out = ["hostname bfdd-test", "log stdout debugging", "!", "bfd"]
        for peer, local in self.peers:
            out += [f" peer {peer} local-address {local}",
                    f"  receive-interval {self.interval_ms}",
                    f"  transmit-interval {self.interval_ms}",
                    f"  detect-multiplier {self.multiplier}",
                    "  no shutdown", " !"]
        return "\n".join(out) + "\n!\n"

    def start(self):
        self.config_path.write_text(self.config())
        self.config_path.chmod(0o644)
        self._popen(["/usr/lib/frr/bfdd", "-f", str(self.config_path), "-i",
                     str(self.run / "bfdd.pid"), "--vty_socket", str(self.run),
                     "--bfdctl", str(self.run / "bfdd.sock"),
                     "-z", str(self.run / "zserv.api"),
                     "--log", "stdout"])
        return self

    def peers_json(self) -> list:
        try:
            out = self.ns.out("vtysh", "--vty_socket", str(self.run), "-d", "bfdd", "-c",
                              "show bfd peers json")
            return json.loads(out)
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            return []

    def status(self, peer: str) -> str:
        for p in self.peers_json():
            if p.get("peer") == peer:
                return str(p.get("status", "unknown")).lower()
        return "unknown"


class BirdBfd(Bird):
    """BIRD 2 whose BGP sessions use BFD (`bfd on`), 100 ms x 3 by default; `bfd=False` leaves
    BFD out entirely (a peer without BFD)."""

    def __init__(self, *a, bfd=True, interval_ms=100, multiplier=3, **kw):
        super().__init__(*a, **kw)
        self.bfd = bfd
        self.interval_ms = interval_ms
        self.multiplier = multiplier
        if bfd:
            for n in self.neighbors:
                self.extra.setdefault(n.address, []).append("bfd on;")

    def config(self) -> str:
        text = super().config()
        if self.bfd:
            text += ("protocol bfd {\n"
                     f"  interface \"*\" {{ min rx interval {self.interval_ms} ms; "
                     f"min tx interval {self.interval_ms} ms; idle tx interval 1000 ms; "
                     f"multiplier {self.multiplier}; }};\n"
                     f"  multihop {{ min rx interval {self.interval_ms} ms; "
                     f"min tx interval {self.interval_ms} ms; idle tx interval 1000 ms; "
                     f"multiplier {self.multiplier}; }};\n"
                     "}\n")
        return text

    def bfd_sessions(self) -> str:
        try:
            return self.birdc("show", "bfd", "sessions")
        except subprocess.CalledProcessError:
            return ""


_STAMP = re.compile(r"^\[?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})")


def log_time(log: str, needle: str, after: float) -> float | None:
    """The time (epoch seconds) of the first log line containing `needle` stamped after
    `after`; nvabgpd stamps local time with milliseconds."""
    for line in log.splitlines():
        if needle not in line:
            continue
        m = _STAMP.match(line)
        if not m:
            continue
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        if t >= after - 0.002:
            return t
    return None


class FrrBgpBfd(Frr):
    """FRR bgpd with `neighbor X bfd` (the real integration): zebra, bfdd and bgpd in the
    namespace, talking over a private zserv socket. bfdd takes the profile `fast`
    (interval_ms x multiplier). Runtime files live in a frr-reachable temporary directory."""

    name = "frrbfd"

    def __init__(self, ns, workdir, asn, router_id, neighbors, interval_ms=100, multiplier=3):
        super().__init__(ns, workdir, asn, router_id, neighbors)
        self.run = pathlib.Path(tempfile.mkdtemp(prefix="nvbt-frr-"))
        os.chmod(self.run, 0o777)
        atexit.register(shutil.rmtree, self.run, True)
        self.interval_ms = interval_ms
        self.multiplier = multiplier
        self.config_path = self.run / "bgpd.conf"
        self.zserv = self.run / "zserv.api"

    def stop(self):
        super().stop()
        shutil.rmtree(self.run, ignore_errors=True)

    def config(self) -> str:
        text = super().config()
        lines = []
        for line in text.splitlines():
            lines.append(line)
            if line.startswith(" neighbor ") and " remote-as " in line:
                addr = line.split()[1]
                lines.append(f" neighbor {addr} bfd")
                lines.append(f" neighbor {addr} bfd profile fast")
        return "\n".join(lines) + "\n"

    def bfdd_config(self) -> str:
        return ("hostname frr-bfdd\nlog stdout debugging\n!\nbfd\n profile fast\n"
                f"  receive-interval {self.interval_ms}\n  transmit-interval {self.interval_ms}\n"
                f"  detect-multiplier {self.multiplier}\n !\n!\n")

    def start(self):
        from nvbtest import wait_until
        (self.run / "zebra.conf").write_text("hostname frr-zebra\n")
        (self.run / "bfdd.conf").write_text(self.bfdd_config())
        self.config_path.write_text(self.config())
        for f in self.run.iterdir():
            f.chmod(0o644)
        common = ["--vty_socket", str(self.run), "-z", str(self.zserv), "--log", "stdout"]
        self.ns.popen(["/usr/lib/frr/zebra", "-f", str(self.run / "zebra.conf"), "-i",
                       str(self.run / "zebra.pid"), *common],
                      log_path=str(self.dir / "zebra.log"))
        wait_until(lambda: self.zserv.exists(), 10, what="zebra's zserv socket")
        self.ns.popen(["/usr/lib/frr/bfdd", "-f", str(self.run / "bfdd.conf"), "-i",
                       str(self.run / "bfdd.pid"), "--bfdctl", str(self.run / "bfdd.sock"),
                       *common], log_path=str(self.dir / "bfdd.log"))
        self._popen(["/usr/lib/frr/bgpd", "-f", str(self.config_path), "-i",
                     str(self.run / "bgpd.pid"), "-S", "-P", "0", "-p", str(self.port), *common])
        return self

    def vtysh(self, command: str) -> str:
        return self.ns.out("vtysh", "--vty_socket", str(self.run), "-d", "bgpd", "-c", command)
