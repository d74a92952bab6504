"""Real BGP speakers (GoBGP, BIRD 2, FRR bgpd) run inside a test's network namespace.

Each launcher writes a generated config into a per-test work directory, starts the daemon in
the namespace with private control sockets (never the system service, never a shared socket
path), and answers queries through the daemon's own CLI:

    peer = GoBgp(ns, workdir, asn=65002, router_id="10.0.0.2",
                 neighbors=[Neighbor("10.0.0.1", 65001, hold=9)])
    peer.start()
    wait_until(lambda: peer.established("10.0.0.1"))
    peer.stop()          # or peer.kill() for SIGKILL, then peer.start() again

`Neighbor` describes one session from the real peer's side; every launcher understands the
same fields (hold/keepalive/connect-retry timers, passive, multihop, password, local
address, families). Each launcher exposes:

    start(), stop(), kill(), alive()         process control (by PID only)
    state(address) -> str                    the session state, lower case ("established")
    established(address) -> bool
    last_error(address) -> str               what the peer says about the last error
    log() -> str                             the daemon's log file

Processes are started through Netns.popen, so Lab/Netns cleanup stops them too.
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import socket
import subprocess
from typing import Optional

from .netns import Netns
from .proc import Process


@dataclasses.dataclass
class Neighbor:
    address: str
    asn: int
    hold: int = 9
    keepalive: Optional[int] = None  # default hold // 3
    connect_retry: int = 2
    passive: bool = False
    multihop: Optional[int] = None   # TTL for eBGP multihop
    password: Optional[str] = None   # TCP-MD5
    local_address: Optional[str] = None
    families: tuple = ("ipv4",)      # "ipv4", "ipv6"

    @property
    def ka(self) -> int:
        return self.keepalive if self.keepalive is not None else max(1, self.hold // 3)

    @property
    def v6(self) -> bool:
        return ":" in self.address


class _Daemon:
    """Common process handling for the three launchers."""

    name = "daemon"

    def __init__(self, ns: Netns, workdir, asn: int, router_id: str, neighbors):
        self.ns = ns
        self.dir = pathlib.Path(workdir) / f"{self.name}-{ns.name}"
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o777)  # FRR/BIRD may drop privileges for their sockets
        self.asn = asn
        self.router_id = router_id
        self.neighbors = list(neighbors)
        self.proc: Optional[Process] = None
        self.log_path = self.dir / "daemon.log"
        self._starts = 0
        # Raw config lines added to one neighbor's section: {address: ["line", ...]}, for
        # options the Neighbor fields do not cover (e.g. BIRD "ttl security on;").
        self.extra = {}

    def alive(self) -> bool:
        return self.proc is not None and self.proc.alive()

    def stop(self):
        if self.proc:
            self.proc.stop()

    def kill(self):
        """SIGKILL: the peer vanishes without a NOTIFICATION or a TCP FIN."""
        if self.proc and self.proc.alive():
            self.proc.kill()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def established(self, address: str) -> bool:
        return self.state(address) == "established"

    def _popen(self, args):
        self._starts += 1
        # Keep earlier runs' logs: a restarted daemon appends to a fresh numbered file.
        if self._starts > 1:
            self.log_path = self.dir / f"daemon.{self._starts}.log"
        self.proc = self.ns.popen(args, log_path=str(self.log_path))
        return self.proc


class GoBgp(_Daemon):
    """gobgpd with a generated TOML config; gRPC API on 127.0.0.1:<api_port> in the netns."""

    name = "gobgp"

    def __init__(self, ns, workdir, asn, router_id, neighbors, api_port=50051, port=179):
        super().__init__(ns, workdir, asn, router_id, neighbors)
        self.api_port = api_port
        self.port = port
        self.config_path = self.dir / "gobgpd.toml"

    def config(self) -> str:
        out = [
            "[global.config]",
            f"  as = {self.asn}",
            f'  router-id = "{self.router_id}"',
            f"  port = {self.port}",
        ]
        for n in self.neighbors:
            out += [
                "[[neighbors]]",
                "  [neighbors.config]",
                f'    neighbor-address = "{n.address}"',
                f"    peer-as = {n.asn}",
            ]
            if n.password:
                out.append(f'    auth-password = "{n.password}"')
            out += [
                "  [neighbors.timers.config]",
                f"    hold-time = {n.hold}",
                f"    keepalive-interval = {n.ka}",
                f"    connect-retry = {n.connect_retry}",
                "  [neighbors.transport.config]",
                f"    passive-mode = {'true' if n.passive else 'false'}",
            ]
            if n.local_address:
                out.append(f'    local-address = "{n.local_address}"')
            if n.multihop:
                out += ["  [neighbors.ebgp-multihop.config]", "    enabled = true",
                        f"    multihop-ttl = {n.multihop}"]
            for fam in n.families:
                out += ["  [[neighbors.afi-safis]]", "    [neighbors.afi-safis.config]",
                        f'      afi-safi-name = "{fam}-unicast"']
        return "\n".join(out) + "\n"

    def start(self):
        self.config_path.write_text(self.config())
        self._popen(["gobgpd", "-f", str(self.config_path), "-t", "toml", "-p",
                     "--api-hosts", f"127.0.0.1:{self.api_port}", "--pprof-disable",
                     "-l", "debug"])
        return self

    def cli(self, *args) -> str:
        return self.ns.out("gobgp", "-u", "127.0.0.1", "-p", str(self.api_port), *args)

    def neighbor(self, address: str) -> dict:
        return json.loads(self.cli("neighbor", address, "-j"))

    def state(self, address: str) -> str:
        try:
            st = self.neighbor(address)["state"]
        except (subprocess.CalledProcessError, json.JSONDecodeError, KeyError):
            return "unknown"
        # gobgp 3.x: session_state is an int (6 = established) or a name.
        s = st.get("session_state", "")
        if isinstance(s, int):
            return {1: "idle", 2: "connect", 3: "active", 4: "opensent", 5: "openconfirm",
                    6: "established"}.get(s, "unknown")
        return str(s).lower().replace("session_state_", "")

    def messages(self, address: str) -> dict:
        """{'received': {...}, 'sent': {...}} counters, e.g. ['received']['keepalive']."""
        return self.neighbor(address)["state"].get("messages", {})

    def last_error(self, address: str) -> str:
        return self.log()


class Bird(_Daemon):
    """BIRD 2 with a generated config; birdc on a per-test control socket."""

    name = "bird"

    def __init__(self, ns, workdir, asn, router_id, neighbors, port=179):
        super().__init__(ns, workdir, asn, router_id, neighbors)
        self.port = port
        self.config_path = self.dir / "bird.conf"
        self.sock = self.dir / "bird.ctl"

    @staticmethod
    def proto_name(address: str) -> str:
        return "p_" + address.replace(".", "_").replace(":", "_")

    def config(self) -> str:
        out = [f"router id {self.router_id};", f'log "{self.dir / "bird-internal.log"}" all;',
               "debug protocols { states, events };", "protocol device {}"]
        for n in self.neighbors:
            out.append(f"protocol bgp {self.proto_name(n.address)} {{")
            local = f" {n.local_address}" if n.local_address else ""
            out.append(f"  local{local} as {self.asn};")
            out.append(f"  neighbor {n.address} port 179 as {n.asn};")
            out.append(f"  hold time {n.hold}; keepalive time {n.ka};")
            out.append(f"  connect retry time {n.connect_retry}; error wait time 1, 5;")
            if n.passive:
                out.append("  passive on;")
            if n.multihop:
                out.append(f"  multihop {n.multihop};")
            if n.password:
                out.append(f'  password "{n.password}";')
            for fam in n.families:
                out.append(f"  {fam} {{ import all; export none; }};")
            out += [f"  {line}" for line in self.extra.get(n.address, [])]
            out.append("}")
        return "\n".join(out) + "\n"

    def start(self):
        self.config_path.write_text(self.config())
        self._popen(["bird", "-f", "-c", str(self.config_path), "-s", str(self.sock),
                     "-P", str(self.dir / "bird.pid")])
        return self

    def birdc(self, *args) -> str:
        return self.ns.out("birdc", "-s", str(self.sock), *args)

    def show(self, address: str) -> str:
        return self.birdc("show", "protocols", "all", self.proto_name(address))

    def state(self, address: str) -> str:
        try:
            text = self.show(address)
        except subprocess.CalledProcessError:
            return "unknown"
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("BGP state:"):
                return line.split(":", 1)[1].strip().lower()
        return "unknown"

    def last_error(self, address: str) -> str:
        """BIRD's 'Last error' line, e.g. 'Received: Bad peer AS'."""
        try:
            text = self.show(address)
        except subprocess.CalledProcessError:
            return ""
        for line in text.splitlines():
            if "Last error:" in line:
                return line.split("Last error:", 1)[1].strip()
        return ""

    def log(self) -> str:
        try:
            return (self.dir / "bird-internal.log").read_text(errors="replace") + super().log()
        except FileNotFoundError:
            return super().log()


class Frr(_Daemon):
    """FRR bgpd run directly (no zebra: -Z), with vtysh on a per-test vty socket directory."""

    name = "frr"

    def __init__(self, ns, workdir, asn, router_id, neighbors, port=179):
        super().__init__(ns, workdir, asn, router_id, neighbors)
        self.port = port
        self.config_path = self.dir / "bgpd.conf"

    def config(self) -> str:
        out = ["frr defaults traditional", "hostname frr-test", "log stdout debugging",
               "debug bgp neighbor-events", "!", f"router bgp {self.asn}",
               f" bgp router-id {self.router_id}", " no bgp ebgp-requires-policy",
               " no bgp default ipv4-unicast"]
        for n in self.neighbors:
            a = n.address
            out.append(f" neighbor {a} remote-as {n.asn}")
            out.append(f" neighbor {a} timers {n.ka} {n.hold}")
            out.append(f" neighbor {a} timers connect {n.connect_retry}")
            # Without zebra bgpd cannot tell whether a peer is on a connected subnet.
            out.append(f" neighbor {a} disable-connected-check")
            if n.passive:
                out.append(f" neighbor {a} passive")
            if n.multihop:
                out.append(f" neighbor {a} ebgp-multihop {n.multihop}")
            if n.password:
                out.append(f" neighbor {a} password {n.password}")
            if n.local_address:
                out.append(f" neighbor {a} update-source {n.local_address}")
        for fam in ("ipv4", "ipv6"):
            active = [n for n in self.neighbors if fam in n.families]
            if active:
                out.append(f" address-family {fam} unicast")
                out += [f"  neighbor {n.address} activate" for n in active]
                out.append(" exit-address-family")
        return "\n".join(out) + "\n!\n"

    def start(self):
        self.config_path.write_text(self.config())
        self._popen(["/usr/lib/frr/bgpd", "-f", str(self.config_path), "-i",
                     str(self.dir / "bgpd.pid"), "--vty_socket", str(self.dir), "-Z", "-S", "-n",
                     "-P", "0", "-p", str(self.port), "--log", "stdout"])
        return self

    def vtysh(self, command: str) -> str:
        return self.ns.out("vtysh", "--vty_socket", str(self.dir), "-d", "bgpd", "-c", command)

    def neighbor(self, address: str) -> dict:
        data = json.loads(self.vtysh(f"show bgp neighbors {address} json"))
        return data.get(address, {})

    def state(self, address: str) -> str:
        try:
            return str(self.neighbor(address).get("bgpState", "unknown")).lower()
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            return "unknown"

    def last_error(self, address: str) -> str:
        """FRR's last reset reason, e.g. 'Notification received (OPEN Message Error/Bad Peer AS)'."""
        try:
            n = self.neighbor(address)
        except (subprocess.CalledProcessError, json.JSONDecodeError):
            return ""
        return " ".join(str(n.get(k, "")) for k in ("lastResetDueTo", "lastNotificationReason",
                                                   "lastErrorCodeSubcode"))


def free_port() -> int:
    """A TCP port number unlikely to be in use (for per-test gRPC APIs; namespaced anyway)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
