"""Drives session_probe (lib/session's SessionManager behind a small CLI) inside a netns.

The probe prints one JSON object per line for every event (state changes, up/down,
NOTIFICATIONs, keepalives received, refused connections); its stderr log lines are mixed in
the same file and skipped here.
"""
import json
import os
import signal

from nvbtest import binary, wait_until


class Probe:
    def __init__(self, ns, workdir, asn, router_id, peers, listen=("0.0.0.0:179",),
                 start_on_signal=False, tag="probe", wrapper=()):
        """peers: list of dicts with the --peer keys (name, address, asn, hold, passive, ...);
        wrapper: a command that execs the probe (e.g. prlimit), keeping its PID."""
        self.ns = ns
        self.log_path = str(workdir / f"{tag}-{ns.name}.log")
        args = [*wrapper, binary("session_probe"), "--asn", str(asn), "--router-id", router_id]
        for lst in listen:
            args += ["--listen", lst]
        for p in peers:
            items = []
            for k, v in p.items():
                if v is True:
                    items.append(k)
                elif v not in (None, False):
                    items.append(f"{k}={v}")
            args += ["--peer", ",".join(items)]
        if start_on_signal:
            args.append("--start-on-signal")
        self.proc = ns.popen(args, log_path=self.log_path)
        wait_until(lambda: self.events("listening") or not self.proc.alive(), 10,
                   what="probe listening")
        assert self.proc.alive(), self.text()

    def text(self) -> str:
        return self.proc.log()

    def all_events(self):
        out = []
        for line in self.text().splitlines():
            if line.startswith("{") and line.endswith("}"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass  # a line still being written
        return out

    def events(self, kind, peer=None, **match):
        return [e for e in self.all_events()
                if e["event"] == kind and (peer is None or e.get("peer") == peer)
                and all(e.get(k) == v for k, v in match.items())]

    def ups(self, peer):
        return self.events("up", peer)

    def downs(self, peer):
        return self.events("down", peer)

    def state(self, peer) -> str:
        """The latest state reported for any connection of `peer`: Established wins."""
        states = self.events("state", peer)
        if not states:
            return "Idle"
        latest_by_conn = {}
        for s in states:
            latest_by_conn[s["conn"]] = s["to"]
        return "Established" if "Established" in latest_by_conn.values() else states[-1]["to"]

    def keepalives(self, peer) -> int:
        k = self.events("keepalive", peer)
        return k[-1]["count"] if k else 0

    def wait_established(self, peer, timeout=60, count=1):
        return wait_until(lambda: len(self.ups(peer)) >= count and self.state(peer) == "Established",
                          timeout, what=f"{peer} Established (#{count})\n{self.text()[-3000:]}")

    def wait_keepalives(self, peer, n, timeout=60):
        return wait_until(lambda: self.keepalives(peer) >= n, timeout,
                          what=f"{n} keepalives from {peer}")

    def status(self, key) -> int:
        """A number from /proc/PID/status, e.g. status("VmRSS") in kB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        raise KeyError(key)

    def cpu_seconds(self) -> float:
        """User + system CPU time the probe has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def signal(self, sig=signal.SIGTERM):
        self.proc.signal(sig)
