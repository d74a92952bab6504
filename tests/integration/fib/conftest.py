"""Fixtures for the FIB integration tests: a router namespace with two uplinks, and the
fib_driver (the real NetlinkFib driven by text commands) running inside it."""
import json
import subprocess
import sys
import tempfile

import pytest

from nvbtest import Lab, binary, veth_pair, unique_name, wait_until


class Driver:
    """fib_driver started with `ip netns exec`; one command in, one reply line out."""

    def __init__(self, ns, start_args=""):
        self.ns = ns
        self.log = tempfile.NamedTemporaryFile(prefix="nvbt-fib-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns.name, binary("fib_driver")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, bufsize=1)
        self.cmd("start " + start_args)

    def cmd(self, line: str) -> str:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self.proc.stdout.readline().strip()
        assert reply.startswith("ok"), f"{line!r} -> {reply!r}\n{self.stderr()}"
        return reply[2:].strip()

    def stats(self) -> dict:
        return dict(kv.split("=") for kv in self.cmd("stats").split())

    def stop(self, persist=False) -> dict:
        reply = self.cmd("stop persist" if persist else "stop")
        assert self.proc.wait(10) == 0, self.stderr()
        return dict(kv.split("=") for kv in reply.split())

    def kill(self):
        """A crash: nothing is cleaned up."""
        if self.proc.poll() is None:
            self.proc.kill()  # the `ip netns exec` process execs the driver: same PID
            self.proc.wait(10)

    def stderr(self) -> str:
        with open(self.log.name, errors="replace") as f:
            return f.read()


def routes(ns, family=4, proto=None, table="main"):
    """The kernel table as {prefix: route dict} from `ip -j route`."""
    args = [f"-{family}", "-j", "route", "show", "table", table]
    if proto is not None:
        args += ["proto", str(proto)]
    out = ns.out("ip", *args)
    result = {}
    for r in json.loads(out or "[]"):
        dst = r["dst"]
        if dst == "default":
            dst = "0.0.0.0/0" if family == 4 else "::/0"
        elif "/" not in dst:
            dst += "/32" if family == 4 else "/128"
        result[dst] = r
    return result


def hops(route):
    """Sorted (gateway, dev) pairs of a route, multipath or not."""
    if "nexthops" in route:
        return sorted((h.get("gateway"), h.get("dev")) for h in route["nexthops"])
    return [(route.get("gateway"), route.get("dev"))]


class Net:
    """R (under test): up1 to G1 (10.1.1.4/24 -> 10.1.1.1, default route via it, proto
    static) and up2 to G2 (192.168.0.1/24; G2 holds 192.168.0.2 and .3). IPv6 alike:
    2001:db8:1::/64 on up1 (default via ::1), 2001:db8:2::/64 on up2."""

    def __init__(self, lab):
        self.r = lab.ns("r")
        self.g1 = lab.ns("g1")
        self.g2 = lab.ns("g2")
        self.up1, _ = veth_pair(self.r, "10.1.1.4/24", self.g1, "10.1.1.1/24",
                                a_if=unique_name("u1"), b_if=unique_name("d1"))
        self.up2, self.g2_if = veth_pair(self.r, "192.168.0.1/24", self.g2, "192.168.0.2/24",
                                         a_if=unique_name("u2"), b_if=unique_name("d2"))
        self.g2.ip("addr", "add", "192.168.0.3/24", "dev", self.g2_if)
        self.r.ip("-6", "addr", "add", "2001:db8:1::4/64", "dev", self.up1, "nodad")
        self.g1.ip("-6", "addr", "add", "2001:db8:1::1/64", "dev", _g1_if(self.g1), "nodad")
        self.r.ip("-6", "addr", "add", "2001:db8:2::1/64", "dev", self.up2, "nodad")
        self.g2.ip("-6", "addr", "add", "2001:db8:2::2/64", "dev", self.g2_if, "nodad")
        self.r.ip("route", "add", "default", "via", "10.1.1.1", "proto", "static")
        self.r.ip("-6", "route", "add", "default", "via", "2001:db8:1::1", "proto", "static")
        self.drivers = []

    def driver(self, args=""):
        d = Driver(self.r, args)
        self.drivers.append(d)
        return d

    def close(self):
        for d in self.drivers:
            d.kill()
        for d in self.drivers:  # sanitizer builds report here
            err = d.stderr()
            assert "Sanitizer" not in err and "runtime error" not in err, err


def _g1_if(ns):
    links = json.loads(ns.out("ip", "-j", "link", "show"))
    return next(link["ifname"] for link in links if link["ifname"] != "lo")


@pytest.fixture
def net():
    with Lab() as lab:
        n = Net(lab)
        try:
            yield n
        finally:
            n.close()


def eventually(pred, what, timeout=15.0):
    return wait_until(pred, timeout=timeout, interval=0.05, what=what)


sys.modules.setdefault("fibnet", sys.modules[__name__])
